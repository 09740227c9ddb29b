"""The web app for people: sign-in, guided selling, the proposal workspace and the
approval inbox. Server-rendered pages (Jinja2) with htmx for partial updates, calling the
same domain services as the JSON API; every form also works without JavaScript (it posts
and redirects)."""
