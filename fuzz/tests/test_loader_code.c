/* SPDX-License-Identifier: MIT */
/*
 * test_loader_code.c - the loader's memcpy(), memmove() and memset()
 * (fuzz/loader_code.c) of zero bytes do nothing, at any address: a NULL
 * the loader passes with no bytes (ReactOS's RtlZeroMemory of an empty
 * block) is no report in the harness's own code.  UBSan stops this
 * program at the first report (-fno-sanitize-recover=undefined).
 */
#include <stdio.h>

#include "../sanitizers.h"
#include "testlib.h"

#ifdef EBSFUZZ_ASAN
void *ebsfuzz_loader_memcpy(void *to, const void *from, size_t size);
void *ebsfuzz_loader_memset(void *to, int value, size_t size);
void *ebsfuzz_loader_memmove(void *to, const void *from, size_t size);

/* Through a volatile pointer, so that the compiler cannot know it is NULL. */
static void *volatile nowhere;
#endif

int main(void)
{
#ifdef EBSFUZZ_ASAN
	char bytes[4] = "abc";

	test_check_failed = false;
	CHECK(ebsfuzz_loader_memset(nowhere, 0, 0) == nowhere);
	CHECK(ebsfuzz_loader_memcpy(nowhere, bytes, 0) == nowhere);
	CHECK(ebsfuzz_loader_memcpy(bytes, nowhere, 0) == bytes);
	CHECK(ebsfuzz_loader_memmove(nowhere, bytes, 0) == nowhere);
	CHECK(ebsfuzz_loader_memmove(bytes, nowhere, 0) == bytes && bytes[0] == 'a');
	test_result("the loader's copies and fills of zero bytes at NULL do nothing",
		    !test_check_failed, NULL);
#endif
	return test_summary("test_loader_code");
}
