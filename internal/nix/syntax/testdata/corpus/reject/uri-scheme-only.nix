https:
