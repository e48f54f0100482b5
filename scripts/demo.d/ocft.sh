# herd agent ocft: resource-agents' ocft configs, parsed and run by herd.
# (sourced by scripts/demo.sh with $HERD and step())
step "$HERD" agent ocft make tests/ocft/seed/Dummy
step "$HERD" agent ocft test tests/ocft/Dummy
step "$HERD" agent ocft test tests/ocft/failing/Dummy
step "$HERD" agent ocft test tests/ocft/hang
