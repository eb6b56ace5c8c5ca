{ a, b } a
