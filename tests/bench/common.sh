# shellcheck shell=bash
# What the benchmarks share; sourced by tests/bench/run, delivery and postfix.

# The median of the numbers on standard input, one a line (of an even
# count, the lower of the two in the middle).
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# EXPR [DIGITS]: the arithmetic expression's value with DIGITS decimals (3).
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }

# DOVEADM...: create the round every benchmark measures, "Bench", a MUS
# round of 60-minute conversations in Q1 2027 over the whole organisation.
bench_round() {
	"$@" mus round create --name Bench --kind MUS --start 2027-01-04 \
		--end 2027-03-26 --duration 60 --workday 0830-1530 --max-per-day 4 \
		--buffer 15 >/dev/null
}
