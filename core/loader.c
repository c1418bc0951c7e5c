/* SPDX-License-Identifier: MIT */
/*
 * loader.c - the hardened loader behind the loader contract: exit boot
 * services with the default policy and leave an e820 table for the kernel.
 */
#include "e820.h"
#include "ebs.h"

/**
 * loader_exit_boot() - the loader contract, implemented by the hardened loader.
 * @image: the loader's image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS if and only if boot services were exited; otherwise
 * the status of the step that failed (see ebs_exit_boot_services()).
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct ebs_policy policy;
	struct e820_table table = { 0 };
	struct mmap map;

	ebs_default_policy(&policy);
	policy.scratch_per_desc = sizeof(struct e820_entry);
	return ebs_exit_boot_services(image, systab, &policy, e820_map_callback, &table, &map);
}
