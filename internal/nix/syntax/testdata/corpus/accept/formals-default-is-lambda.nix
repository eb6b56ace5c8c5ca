{ a ? b: b }: a 1
