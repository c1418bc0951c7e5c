/* SPDX-License-Identifier: MIT */
/*
 * ebs.h - ending boot services: size the map, read it, hand it to the
 * loader's map-processing callback, call ExitBootServices(), and retry the
 * way the UEFI specification allows.
 */
#ifndef EBSFUZZ_CORE_EBS_H
#define EBSFUZZ_CORE_EBS_H

#include "efi.h"
#include "memmap.h"

/*
 * Headroom, in descriptors of the firmware's DescriptorSize, allocated
 * beyond the size the firmware asks for.  Linux used 8 until Microsoft
 * reported platforms that grow their map by more while exiting and it went
 * to 32 (commit ec4696925da6, v6.14; exit-boot.md F10); Patina's maintainers
 * see more than 8 descriptors appear during ExitBootServices.  The buffer
 * must also absorb its own allocation (up to 2 descriptors on EDK2) and the
 * BUFFER_TOO_SMALL answer's over-report (EDK2 counts unmerged entries).
 */
#define EBS_DEFAULT_SLACK_DESCS 32u

/*
 * UEFI 2.3.1C through 2.10 section 7.4.6: exit-boot events "are only
 * signaled once even if ExitBootServices() is called multiple times", so a
 * map changed by them is stable after one failure.  AMI confirmed one
 * failure then success (LKML 2013-06-18).
 */
#define EBS_DEFAULT_MAX_RETRIES 1u

/* Rounds of probe, allocate, read before the first exit attempt. */
#define EBS_DEFAULT_SIZING_ROUNDS 4u

/**
 * struct ebs_policy - the knobs of the exit sequence.
 * @slack_descs: headroom in descriptors (EBS_DEFAULT_SLACK_DESCS).
 * @max_exit_retries: ExitBootServices() calls after the first, made only
 *	after EFI_INVALID_PARAMETER (EBS_DEFAULT_MAX_RETRIES).
 * @sizing_rounds: bound on the sizing loop (EBS_DEFAULT_SIZING_ROUNDS).
 * @buffer_type: memory type of the map buffer, usually EfiLoaderData.
 * @scratch_per_desc: bytes of callback scratch space per descriptor the
 *	buffer could hold, placed after the map in the same allocation so
 *	the callback never needs to allocate.
 */
struct ebs_policy {
	UINTN slack_descs;
	UINTN max_exit_retries;
	UINTN sizing_rounds;
	EFI_MEMORY_TYPE buffer_type;
	UINTN scratch_per_desc;
};

/**
 * typedef ebs_map_fn - the loader's map-processing callback.
 * @map: the map just read; @map->scratch is the callback's to use.
 * @ctx: the caller's context.
 *
 * Runs after every successful read, so it runs again after a failed exit
 * and must be idempotent.  It must not call boot services: after the first
 * exit attempt almost nothing is allowed (UEFI 2.10 section 7.4.6).
 *
 * Return: EFI_SUCCESS, or an error that aborts the exit.
 */
typedef EFI_STATUS (*ebs_map_fn)(const struct mmap *map, VOID *ctx);

void ebs_default_policy(struct ebs_policy *policy);

EFI_STATUS ebs_exit_boot_services(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab,
				  const struct ebs_policy *policy, ebs_map_fn process, VOID *ctx,
				  struct mmap *map);

#endif /* EBSFUZZ_CORE_EBS_H */
