args@{ }: args
