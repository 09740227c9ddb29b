"""The insights pages: go to market, portfolio and delivery, for approvers, portfolio and
admins; figures from app.insights as tables and server-drawn SVG charts, and their CSV."""
