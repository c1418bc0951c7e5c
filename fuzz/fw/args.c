/* SPDX-License-Identifier: MIT */
/*
 * args.c - the scalars a service reads and writes through the loader's
 * pointers (GetMemoryMap()'s MemoryMapSize and MapKey, AllocatePool()'s
 * Buffer, ...), and the rule they break when misaligned.
 *
 * UEFI 2.10 section 2.3.1: "Unless otherwise specified all data types are
 * naturally aligned."  A loader that keeps its map state in a packed
 * structure and passes &state.size breaks it: on x86 the access goes
 * through, but C gives it no meaning (C11 section 6.3.2.3) and a
 * processor with alignment checking enabled faults.  The firmware's own
 * store was UBSan's misaligned-pointer-use inside fuzz/fw/, which ended
 * the harness at the first run, in the firmware's name, and hid every
 * other finding.  Here the pointer is checked at the loader's call
 * (argument-alignment, invariants.c, class loader-ub: no exit-boot rule,
 * and the run goes on) and the access is made as x86 makes it: every
 * access is a copy of its bytes, which C allows at any alignment.  A
 * scalar with a bad byte (a UINT32 passed where a UINTN is written, a
 * pointer into a freed block) is reported at the loader's call and, if the
 * run goes on, accessed unchecked (loader_access.c); ASan's report at the
 * firmware's own line was one place for every caller, and a bad write
 * there ended the worker.
 */
#include "internal.h"

/**
 * fw_arg_get_uintn() - read a UINTN the loader passed by reference.
 * @p: the loader's pointer, not NULL.
 * @what: the service's name and the parameter's, for the violation.
 *
 * Return: the value.
 */
UINTN fw_arg_get_uintn(const UINTN *p, const char *what)
{
	UINTN v;

	oracle_check_argument_alignment(p, sizeof(*p), what);
	fw_loader_read(&v, p, sizeof(v));
	return v;
}

/**
 * fw_arg_put_uintn() - store a UINTN through the loader's pointer.
 * @p: the loader's pointer, not NULL.
 * @v: the value.
 * @what: as fw_arg_get_uintn().
 */
void fw_arg_put_uintn(UINTN *p, UINTN v, const char *what)
{
	oracle_check_argument_alignment(p, sizeof(*p), what);
	fw_loader_write(p, &v, sizeof(v));
}

/**
 * fw_arg_get_u64() - read a UINT64 (an EFI_PHYSICAL_ADDRESS) the loader
 * passed by reference.
 * @p: the loader's pointer, not NULL.
 * @what: as fw_arg_get_uintn().
 *
 * Return: the value.
 */
UINT64 fw_arg_get_u64(const UINT64 *p, const char *what)
{
	UINT64 v;

	oracle_check_argument_alignment(p, sizeof(*p), what);
	fw_loader_read(&v, p, sizeof(v));
	return v;
}

/**
 * fw_arg_put_u64() - store a UINT64 through the loader's pointer.
 * @p: the loader's pointer, not NULL.
 * @v: the value.
 * @what: as fw_arg_get_uintn().
 */
void fw_arg_put_u64(UINT64 *p, UINT64 v, const char *what)
{
	oracle_check_argument_alignment(p, sizeof(*p), what);
	fw_loader_write(p, &v, sizeof(v));
}

/**
 * fw_arg_put_u32() - store a UINT32 through the loader's pointer.
 * @p: the loader's pointer, not NULL.
 * @v: the value.
 * @what: as fw_arg_get_uintn().
 */
void fw_arg_put_u32(UINT32 *p, UINT32 v, const char *what)
{
	oracle_check_argument_alignment(p, sizeof(*p), what);
	fw_loader_write(p, &v, sizeof(v));
}

/**
 * fw_arg_put_ptr() - store a pointer (a buffer, an event) through the
 * loader's pointer.
 * @p: the loader's pointer, not NULL.
 * @v: the value.
 * @what: as fw_arg_get_uintn().
 */
void fw_arg_put_ptr(VOID **p, VOID *v, const char *what)
{
	oracle_check_argument_alignment(p, sizeof(*p), what);
	fw_loader_write(p, &v, sizeof(v));
}
