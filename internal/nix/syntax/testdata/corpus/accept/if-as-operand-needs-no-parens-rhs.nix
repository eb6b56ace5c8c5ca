# A body-taking construct can end an operator chain: 1 + (if ...).
1 + (if true then 1 else 2)
