/* SPDX-License-Identifier: MIT */
/*
 * mutator.c - structure-aware mutation for libFuzzer: whole directives are
 * inserted, removed, swapped, duplicated and retyped, and single fields
 * are changed within their ranges, alongside libFuzzer's own byte-level
 * mutations (LLVMFuzzerMutate, which also inserts dictionary entries).
 * LLVMFuzzerCustomCrossOver splices runs of directives from one input into
 * another, so that conditions two inputs reach apart can meet in one.
 *
 * The format is read only through fuzz/script.c (scn_ops, scn_next_directive,
 * scn_encode_directive): there is no second copy of it here.  Decoding stays
 * total, so whatever this produces is a valid input; bytes of a cut-short
 * directive at the end are kept as they are.
 *
 * Linked into the libFuzzer targets only.  LLVMFuzzerMutate is weak: an
 * engine that calls the custom mutator without providing it gets the
 * structure-aware mutations alone.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "script.h"

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
				 size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) __attribute__((weak));

/* The smallest directive is two bytes; libFuzzer's inputs stay below 1 MB. */
#define MAX_DIRECTIVES 4096u
#define MAX_DIRECTIVE_BYTES 64u

/**
 * struct parsed - an input as the byte spans of its whole directives plus
 * a cut-short tail.  Mutations move spans; only a directive whose values
 * change is decoded and encoded again.
 * @data: the input.
 * @off: where each directive starts in @data.
 * @n: how many whole directives.
 * @tail: where the bytes after the last whole directive start.
 * @size: the input's length.
 */
struct parsed {
	const uint8_t *data;
	uint32_t off[MAX_DIRECTIVES + 1];
	size_t n;
	size_t tail;
	size_t size;
};

static struct parsed first, second;
static uint8_t scratch[1u << 20];

/* splitmix64: libFuzzer's seed decides every choice. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A uniform choice in [0, @n); @n > 0. */
static size_t below(size_t n)
{
	return (size_t)(rnd() % n);
}

/* Where each whole directive of @data starts, as scn_next_directive()
 * would step through them: only their lengths are read, not their fields
 * (decoding every field was most of a parse, and a parse is made at every
 * structural mutation and twice at every crossover). */
static void parse(const uint8_t *data, size_t size, struct parsed *p)
{
	size_t at = 0, len;

	p->data = data;
	p->size = size;
	p->n = 0;
	while (p->n < MAX_DIRECTIVES && at < size) {
		len = scn_directive_size(data[at] % OP_COUNT);
		if (size - at < len)
			break;
		p->off[p->n++] = (uint32_t)at;
		at += len;
	}
	p->off[p->n] = (uint32_t)at;
	p->tail = at;
}

/* The bytes of directive @i of @p. */
static const uint8_t *span(const struct parsed *p, size_t i, size_t *len)
{
	*len = p->off[i + 1] - p->off[i];
	return p->data + p->off[i];
}

/* Append @len bytes at @at of @out if they fit in @max; false if not. */
static bool put(uint8_t *out, size_t *at, size_t max, const uint8_t *bytes, size_t len)
{
	if (len > max - *at)
		return false;
	memcpy(out + *at, bytes, len);
	*at += len;
	return true;
}

/* Append directives [@from, @to) of @p. */
static bool put_run(uint8_t *out, size_t *at, size_t max, const struct parsed *p, size_t from,
		    size_t to)
{
	return put(out, at, max, p->data + p->off[from], p->off[to] - p->off[from]);
}

/* Append @p's cut-short tail. */
static bool put_tail(uint8_t *out, size_t *at, size_t max, const struct parsed *p)
{
	return put(out, at, max, p->data + p->tail, p->size - p->tail);
}

/* The largest value a field can take, canonically. */
static uint64_t field_max(const struct scn_field *f)
{
	if (f->kind == FIELD_ENUM)
		return f->limit - 1;
	if (f->kind == FIELD_COUNT || f->limit != 0)
		return f->limit;
	return f->width >= 8 ? UINT64_MAX : (1ull << (8 * f->width)) - 1;
}

/* Bring any value into the field's canonical range. */
static uint64_t canonical(const struct scn_field *f, uint64_t v)
{
	uint64_t max = field_max(f);

	if (f->kind == FIELD_COUNT)
		return v == 0 ? 1 : (v - 1) % max + 1;
	return max == UINT64_MAX ? v : v % (max + 1);
}

/*
 * A new value for a field: uniform for names; for numbers, mostly the
 * edges of the range, small values, multiples of 8 and values whose bit
 * length is uniform (so that 2^32 and 2^52 come up as often as 7).
 */
static uint64_t new_value(const struct scn_field *f)
{
	uint64_t max = field_max(f), v;
	unsigned bits;

	if (f->kind == FIELD_ENUM)
		return below(f->limit);
	switch (below(8)) {
	case 0:
		v = f->kind == FIELD_COUNT ? 1 : 0;
		break;
	case 1:
		v = max;
		break;
	case 2:
		v = below(17);
		break;
	case 3:
		v = 8 * below(max / 8 < 160 ? max / 8 + 1 : 160);
		break;
	case 4:
		bits = 1 + (unsigned)below(64);
		v = (uint64_t)1 << (bits - 1);
		v += below(3) == 0 ? 0 : below(2) ? (uint64_t)-1 : 1;
		break;
	default:
		bits = 1 + (unsigned)below(64);
		v = rnd() & (bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1);
		break;
	}
	return canonical(f, v);
}

/* A change of a field's value: a step, a bit, a doubling, or a new value. */
static uint64_t changed_value(const struct scn_field *f, uint64_t v)
{
	if (f->kind == FIELD_ENUM) {
		if (f->limit > 1)
			return (v + 1 + below(f->limit - 1)) % f->limit;
		return v;
	}
	switch (below(5)) {
	case 0:
		return canonical(f, v + 1 + below(8));
	case 1:
		return canonical(f, v - 1 - below(8));
	case 2:
		return canonical(f, v ^ ((uint64_t)1 << below(f->width * 8u)));
	case 3:
		return canonical(f, below(2) ? v * 2 : v / 2);
	default:
		return new_value(f);
	}
}

static void random_directive(struct scn_directive *dir, uint8_t op)
{
	const struct scn_op_def *def = &scn_ops[op];
	unsigned i;

	memset(dir, 0, sizeof(*dir));
	dir->op = op;
	for (i = 0; i < def->n_fields; i++)
		dir->v[i] = new_value(&def->fields[i]);
}

enum op { OP_BYTES, OP_FIELD, OP_INSERT, OP_REMOVE, OP_SWAP, OP_RETYPE, OP_DUPLICATE, OP_KINDS };

/* Weights of the mutations, out of 100; the byte level gets the rest.
 * Removal outweighs insertion and duplication together, so that inputs do
 * not grow (and slow down) beyond what their features need. */
static const unsigned op_weight[OP_KINDS] = {
	[OP_FIELD] = 25, [OP_INSERT] = 12, [OP_REMOVE] = 15, [OP_SWAP] = 6,
	[OP_RETYPE] = 8, [OP_DUPLICATE] = 5,
};

static enum op pick_op(void)
{
	unsigned r = (unsigned)below(100), k;

	for (k = OP_FIELD; k < OP_KINDS; k++) {
		if (r < op_weight[k])
			return (enum op)k;
		r -= op_weight[k];
	}
	return OP_BYTES;
}

/* Encode a random directive of opcode @op into @bytes. */
static size_t random_bytes(uint8_t op, uint8_t *bytes)
{
	struct scn_directive dir;

	random_directive(&dir, op);
	return scn_encode_directive(&dir, bytes);
}

/*
 * Apply one structural mutation to @p, writing the result to @out (at most
 * @max bytes).
 *
 * Return: the result's length, or 0 if the mutation does not apply or fit.
 */
static size_t mutate_structure(const struct parsed *p, enum op op, uint8_t *out, size_t max)
{
	uint8_t bytes[MAX_DIRECTIVE_BYTES];
	const uint8_t *one;
	size_t i, j, len, at = 0, n = 0;
	struct scn_directive dir;
	struct scn_reader reader;

	if (op != OP_INSERT && p->n == 0)
		return 0;
	i = below(p->n ? p->n : 1);
	switch (op) {
	case OP_FIELD:
		reader = (struct scn_reader){ p->data, p->size, p->off[i] };
		scn_next_directive(&reader, &dir);
		if (scn_ops[dir.op].n_fields == 0)
			return 0;
		j = below(scn_ops[dir.op].n_fields);
		dir.v[j] = changed_value(&scn_ops[dir.op].fields[j], dir.v[j]);
		n = scn_encode_directive(&dir, bytes);
		break;
	case OP_INSERT:
	case OP_RETYPE:
		n = random_bytes(op == OP_INSERT ? (uint8_t)below(OP_COUNT)
						 : (uint8_t)((p->data[p->off[i]] % OP_COUNT + 1 +
							      below(OP_COUNT - 1)) % OP_COUNT),
				 bytes);
		if (op == OP_INSERT)
			i = below(p->n + 1);
		break;
	case OP_SWAP:
		j = below(p->n);
		if (i == j)
			return 0;
		if (i > j) {
			size_t t = i;

			i = j;
			j = t;
		}
		/* i < j: [0,i) j (i,j) i (j,n) tail */
		if (!put_run(out, &at, max, p, 0, i))
			return 0;
		one = span(p, j, &len);
		if (!put(out, &at, max, one, len) || !put_run(out, &at, max, p, i + 1, j))
			return 0;
		one = span(p, i, &len);
		if (!put(out, &at, max, one, len) || !put_run(out, &at, max, p, j + 1, p->n) ||
		    !put_tail(out, &at, max, p))
			return 0;
		return at;
	case OP_DUPLICATE:
		one = span(p, i, &len);
		memcpy(bytes, one, len);
		n = len;
		i = below(p->n + 1);
		break;
	case OP_REMOVE:
		break;
	default:
		return 0;
	}
	/* Directives [0, i), then @bytes, then the rest: directive i is
	 * replaced (field, retype, remove) or kept after (insert, duplicate). */
	if (!put_run(out, &at, max, p, 0, i) || !put(out, &at, max, bytes, n))
		return 0;
	if (op == OP_FIELD || op == OP_RETYPE || op == OP_REMOVE)
		i++;
	if (!put_run(out, &at, max, p, i < p->n ? i : p->n, p->n) || !put_tail(out, &at, max, p))
		return 0;
	return at;
}

/**
 * LLVMFuzzerCustomMutator() - one mutation of an input, in place.
 * @data: the input; room for @max_size bytes.
 * @size: its length.
 * @max_size: the largest result allowed.
 * @seed: decides every random choice.
 *
 * Return: the new length, at most @max_size.
 */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	unsigned attempt;
	size_t n;

	rng_state = seed;
	for (attempt = 0; attempt < 4; attempt++) {
		enum op op = pick_op();

		if (op == OP_BYTES) {
			if (LLVMFuzzerMutate != NULL)
				return LLVMFuzzerMutate(data, size, max_size);
			continue;
		}
		parse(data, size, &first);
		n = mutate_structure(&first, op, scratch,
				     max_size < sizeof(scratch) ? max_size : sizeof(scratch));
		if (n == 0) /* did not apply or fit; an empty result is no mutation either */
			continue;
		memcpy(data, scratch, n);
		return n;
	}
	return LLVMFuzzerMutate != NULL ? LLVMFuzzerMutate(data, size, max_size) : size;
}

/**
 * LLVMFuzzerCustomCrossOver() - splice a run of directives of the second
 * input into the first.
 * @data1: the first input.
 * @size1: its length.
 * @data2: the second input.
 * @size2: its length.
 * @out: receives the result.
 * @max_out_size: room in @out.
 * @seed: decides every random choice.
 *
 * The run replaces nothing (insertion) or a run of the first input of
 * random length; the first input's cut-short tail stays at the end.
 *
 * Return: the length written to @out, or 0 if nothing fitted.
 */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
				 size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed)
{
	size_t from, count, at, drop, n = 0;

	rng_state = seed;
	parse(data1, size1, &first);
	parse(data2, size2, &second);
	if (second.n == 0)
		return 0;
	from = below(second.n);
	count = 1 + below(second.n - from);
	at = below(first.n + 1);
	drop = below(3) == 0 ? below(first.n - at + 1) : 0;
	if (!put_run(out, &n, max_out_size, &first, 0, at) ||
	    !put_run(out, &n, max_out_size, &second, from, from + count) ||
	    !put_run(out, &n, max_out_size, &first, at + drop, first.n) ||
	    !put_tail(out, &n, max_out_size, &first))
		return 0;
	return n;
}
