/* SPDX-License-Identifier: MIT */
/*
 * test_mutator.c - the structure-aware mutator (fuzz/mutator.c) without
 * libFuzzer: results stay within the size allowed and mostly differ from
 * their input; a crossover is made only of whole directives of its two
 * inputs, plus the first one's cut-short tail.  Built with ASan, which
 * checks every buffer the mutator touches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../script.h"

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
				 size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed);

static uint32_t rng = 7;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static size_t random_input(uint8_t *buf, size_t max)
{
	size_t n = next() % max, i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)next();
	return n;
}

/* Is the directive at @d[0..@len) one of the whole directives of @in? */
static int directive_of(const uint8_t *d, size_t len, const uint8_t *in, size_t size)
{
	struct scn_reader r = { in, size, 0 };
	struct scn_directive dir;
	size_t at = 0;

	while (scn_next_directive(&r, &dir)) {
		if (r.offset - at == len && memcmp(in + at, d, len) == 0)
			return 1;
		at = r.offset;
	}
	return 0;
}

static int check_mutations(void)
{
	static uint8_t in[512], buf[1024];
	unsigned round, changed = 0, rounds = 50000;

	for (round = 0; round < rounds; round++) {
		size_t size = random_input(in, sizeof(in)), max = size + next() % 64, n;

		memcpy(buf, in, size);
		n = LLVMFuzzerCustomMutator(buf, size, max ? max : 1, next());
		if (n > (max ? max : 1)) {
			fprintf(stderr, "mutation of %zu bytes gave %zu, more than %zu\n", size, n, max);
			return 1;
		}
		changed += n != size || memcmp(buf, in, size) != 0;
	}
	if (changed < rounds / 2) {
		fprintf(stderr, "only %u of %u mutations changed their input\n", changed, rounds);
		return 1;
	}
	printf("test_mutator: %u of %u mutations changed their input, none grew beyond the limit\n",
	       changed, rounds);
	return 0;
}

static int check_crossovers(void)
{
	static uint8_t a[512], b[512], out[1024];
	unsigned round, rounds = 20000;

	for (round = 0; round < rounds; round++) {
		size_t na = random_input(a, sizeof(a)), nb = random_input(b, sizeof(b));
		size_t max = 1 + next() % sizeof(out), n = LLVMFuzzerCustomCrossOver(a, na, b, nb, out, max, next());
		struct scn_reader r = { out, n, 0 };
		struct scn_directive dir;
		size_t at = 0;

		if (n > max) {
			fprintf(stderr, "crossover gave %zu bytes, more than %zu\n", n, max);
			return 1;
		}
		while (scn_next_directive(&r, &dir)) {
			if (!directive_of(out + at, r.offset - at, a, na) &&
			    !directive_of(out + at, r.offset - at, b, nb)) {
				fprintf(stderr, "crossover made a directive of neither input\n");
				return 1;
			}
			at = r.offset;
		}
	}
	printf("test_mutator: %u crossovers made of whole directives of their inputs\n", rounds);
	return 0;
}

int main(void)
{
	return check_mutations() || check_crossovers();
}
