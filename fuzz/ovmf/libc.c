/* SPDX-License-Identifier: MIT */
/*
 * libc.c - the two functions the compiler may call in a freestanding UEFI
 * image (struct copies and initialisers become memcpy/memset calls; `make
 * check-boundaries` allows core/ nothing else).  UEFI image only: the host
 * programs use the C library's.
 */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}
