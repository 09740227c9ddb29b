"""The approval inbox: proposals waiting for an approver, decided with a comment."""
