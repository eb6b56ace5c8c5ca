mailto:someone@example.org
