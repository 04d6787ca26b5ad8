"""PDF rendering shared by every printed document (WeasyPrint) and its French print typography."""
