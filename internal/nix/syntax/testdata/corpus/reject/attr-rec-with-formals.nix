rec { a, b }: a
