!if true then true else false
