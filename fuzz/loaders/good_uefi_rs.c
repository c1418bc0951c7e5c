/* SPDX-License-Identifier: MIT */
/*
 * good_uefi_rs.c - good model: uefi-rs's boot::exit_boot_services().
 *
 * Stands for the uefi crate at main 7d3e78e2 (exit-boot.md 3.9; design from
 * PR #653, 2023): memory_map_size() queries the size, asserting
 * BUFFER_TOO_SMALL, size % desc_size == 0 and DescriptorVersion 1;
 * MemoryMapBackingMemory::new() allocates the needed size plus 8
 * descriptors ("matches the value in the Linux kernel") with one
 * AllocatePool; then two attempts of {GetMemoryMap() into the whole buffer;
 * ExitBootServices()}, any error consuming an attempt, nothing allocated or
 * freed in between; after two failures runtime::reset(COLD), a runtime
 * service, legal at any time (the fake firmware's ResetSystem ends the run).
 *
 * A Rust panic (a failed assert, or expect() on a failed allocation) runs
 * the application's #[panic_handler]; the model's resets, as a boot
 * loader's should, rather than spin.  On firmware that does not write
 * DescriptorSize on BUFFER_TOO_SMALL (U-Boot before 2020, F12) the
 * `map_size % desc_size` assertion panics; the fake firmware counts such
 * firmware as non-compliant, so that reset is not a liveness violation.
 */
#include "../../core/efi.h"

#define EXTRA_ENTRIES 8

/**
 * panic() - the model's panic handler: reset the machine.
 * @systab: the system table.
 * @status: passed to ResetSystem().
 */
static _Noreturn void panic(EFI_SYSTEM_TABLE *systab, EFI_STATUS status)
{
	systab->RuntimeServices->ResetSystem(EfiResetCold, status, 0, NULL);
	__builtin_unreachable();
}

/**
 * get_memory_map_and_exit_boot_services() - one attempt.
 * @systab: the system table.
 * @buf: the backing memory.
 * @len: its size.
 * @image: the image handle.
 *
 * Return: EFI_SUCCESS once boot services are gone, else the error.
 */
static EFI_STATUS get_memory_map_and_exit_boot_services(EFI_SYSTEM_TABLE *systab, VOID *buf,
							 UINTN len, EFI_HANDLE image)
{
	EFI_BOOT_SERVICES *bt = systab->BootServices;
	UINTN map_size = len, map_key = 0, desc_size = 0;
	UINT32 desc_version = 0;
	EFI_STATUS status;

	status = bt->GetMemoryMap(&map_size, buf, &map_key, &desc_size, &desc_version);
	if (status != EFI_SUCCESS)
		return status;
	return bt->ExitBootServices(image, map_key);
}

/**
 * loader_exit_boot() - the loader contract (core/efi.h), as
 * boot::exit_boot_services(None).
 * @image: the image handle.
 * @systab: the system table.
 *
 * Return: EFI_SUCCESS; on failure the model resets instead of returning.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *bt = systab->BootServices;
	UINTN map_size = 0, map_key = 0, desc_size = 0, len, attempt;
	UINT32 desc_version = 0;
	EFI_STATUS status = EFI_ABORTED;
	VOID *buf;

	/* memory_map_size() */
	status = bt->GetMemoryMap(&map_size, NULL, &map_key, &desc_size, &desc_version);
	if (status != EFI_BUFFER_TOO_SMALL)
		panic(systab, EFI_LOAD_ERROR); /* assert_eq!(status, BUFFER_TOO_SMALL) */
	/* assert_eq!(map_size % desc_size, 0): a remainder by zero panics in Rust */
	if (desc_size == 0 || map_size % desc_size != 0)
		panic(systab, EFI_LOAD_ERROR);
	if (desc_version != EFI_MEMORY_DESCRIPTOR_VERSION)
		panic(systab, EFI_INCOMPATIBLE_VERSION); /* assert_eq!(desc_version, 1) */
	/* MemoryMapBackingMemory::new(LOADER_DATA) */
	/* A sum that wraps (corrupt firmware) panics, as Rust's checked
	 * arithmetic does in debug builds. */
	if (__builtin_mul_overflow(desc_size, (UINTN)EXTRA_ENTRIES, &len) ||
	    __builtin_add_overflow(map_size, len, &len))
		panic(systab, EFI_LOAD_ERROR);
	if (bt->AllocatePool(EfiLoaderData, len, &buf) != EFI_SUCCESS)
		panic(systab, EFI_OUT_OF_RESOURCES); /* expect("Failed to allocate memory") */
	__builtin_memset(buf, 0, len);
	for (attempt = 0; attempt < 2; attempt++) {
		status = get_memory_map_and_exit_boot_services(systab, buf, len, image);
		if (status == EFI_SUCCESS)
			return EFI_SUCCESS;
		/* log::error! - the logger was disabled before the first attempt */
	}
	systab->RuntimeServices->ResetSystem(EfiResetCold, status, 0, NULL);
	return status; /* not reached: the fake firmware's ResetSystem ends the run */
}
