"""HTML pages of applications: the counter, the office, and public tracking."""
