# `'''` then `''` -> text "x''" ... then closes.
''x''' ''
