let s = { }; in { a ? s.x or 1 }: a
