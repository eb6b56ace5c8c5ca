{ then }: 1
