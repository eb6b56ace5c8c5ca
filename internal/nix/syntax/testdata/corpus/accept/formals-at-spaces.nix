args @ { a } : a
