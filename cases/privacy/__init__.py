"""Privacy: the access trail page, the right of access (GDPR export) and the retention limit."""
