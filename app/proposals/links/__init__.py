"""Share links: the customer's way in to one issued revision, and the views of its page."""
