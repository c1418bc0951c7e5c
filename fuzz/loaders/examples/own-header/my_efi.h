/* SPDX-License-Identifier: MIT */
/*
 * my_efi.h - the few UEFI definitions this loader uses, laid out as the
 * UEFI specification 2.10 lays them out (sections 4.3, 4.4, 7.2), with the
 * slots it does not call as opaque pointers: what a loader that brings its
 * own header looks like.
 */
#ifndef MY_EFI_H
#define MY_EFI_H

#include <stdint.h>

#define EFIAPI __attribute__((ms_abi))

typedef uint64_t EFI_STATUS;
typedef uint64_t UINTN;
typedef void *EFI_HANDLE;

#define EFI_SUCCESS 0
#define EFI_ERR(n) (0x8000000000000000ull | (n))
#define EFI_LOAD_ERROR EFI_ERR(1)
#define EFI_INVALID_PARAMETER EFI_ERR(2)
#define EFI_BUFFER_TOO_SMALL EFI_ERR(5)

struct efi_table_header {
	uint64_t signature;
	uint32_t revision, header_size, crc32, reserved;
};

struct efi_boot_services {
	struct efi_table_header hdr;
	void *raise_tpl, *restore_tpl, *allocate_pages, *free_pages;
	EFI_STATUS(EFIAPI *get_memory_map)(UINTN *size, void *map, UINTN *key, UINTN *desc_size,
					   uint32_t *desc_version);
	EFI_STATUS(EFIAPI *allocate_pool)(uint32_t type, UINTN size, void **buffer);
	EFI_STATUS(EFIAPI *free_pool)(void *buffer);
	void *events_and_protocols[17]; /* CreateEvent .. StartImage */
	void *exit, *unload_image;
	EFI_STATUS(EFIAPI *exit_boot_services)(EFI_HANDLE image, UINTN key);
};

struct efi_system_table {
	struct efi_table_header hdr;
	void *firmware_vendor;
	uint32_t firmware_revision;
	void *con_in_handle, *con_in, *con_out_handle, *con_out, *stderr_handle, *std_err;
	void *runtime_services;
	struct efi_boot_services *boot_services;
	UINTN nr_tables;
	void *tables;
};

_Static_assert(__builtin_offsetof(struct efi_boot_services, get_memory_map) == 56, "layout");
_Static_assert(__builtin_offsetof(struct efi_boot_services, exit_boot_services) == 232, "layout");
_Static_assert(__builtin_offsetof(struct efi_system_table, boot_services) == 96, "layout");

#define EFI_LOADER_DATA 2

#endif
