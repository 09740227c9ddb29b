"""The customer's decision through a share link: acceptance (with its evidence and the
contract copy) or decline."""
