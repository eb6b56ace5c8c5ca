"it's ''fine''"
