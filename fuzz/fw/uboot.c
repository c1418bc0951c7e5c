/* SPDX-License-Identifier: MIT */
/*
 * uboot.c - what the `uboot` personality does differently from EDK2,
 * each a small helper the generic services call, so that the rest of the
 * fake firmware stays personality-neutral.  Every rule here was measured
 * on U-Boot 2023.01 (Debian 12 u-boot-qemu, x86-64 under QEMU) by the
 * real-firmware differential (scripts/firmware-check; the scenario is named
 * with each rule); the U-Boot functions named are where lib/efi_loader/
 * efi_boottime.c and efi_memory.c do it (docs/uboot.md).  Those
 * sources were read for the timer polls, the event signalling and the
 * type and free checks, not for every rule.  Nothing here may run for
 * another personality.
 */
#include "internal.h"

static bool is_uboot(void)
{
	return fw.personality == PERS_UBOOT;
}

/**
 * fw_timers_fire_at() - whether timers may fire at the entry of a call.
 * @svc: the service being entered.
 *
 * EDK2 and AMI run timer notify functions from a tick interrupt, so one can
 * fire between any two calls.  U-Boot has no timer interrupt: it looks at
 * its timer events only in efi_timer_check(), which RestoreTPL, CheckEvent
 * and WaitForEvent call (and Stall, see fw_uboot_stall()); never
 * GetMemoryMap, the allocation services or ExitBootServices.
 *
 * Return: true if due timers fire now.
 */
bool fw_timers_fire_at(enum fw_service svc)
{
	if (!is_uboot())
		return true;
	return svc == SVC_RestoreTPL || svc == SVC_CheckEvent || svc == SVC_WaitForEvent;
}

/**
 * fw_uboot_stall() - U-Boot's Stall polls its timers while it waits.
 * @microseconds: the loader's argument.
 *
 * efi_stall() loops on efi_timer_check() until the time has passed, so a
 * Stall of 0 polls nothing and any longer one polls at least once (on real
 * hardware; under emulation a wait of a microsecond or two may be over
 * before the first poll).
 */
void fw_uboot_stall(UINTN microseconds)
{
	if (is_uboot() && microseconds > 0 && fw.timers_enabled && fw.notifying == FW_NO_GROUP)
		fw_timers_tick();
}

/**
 * fw_uboot_event_alloc() - the memory of a new event of the loader's.
 * @event: the event being created.
 *
 * U-Boot 2023.01 allocates each event from its EFI pool, and every U-Boot
 * pool allocation is a page allocation (F18): CreateEvent and CreateEventEx
 * each take a page of BootServicesData and move the key; EDK2 takes events
 * from a pool page it already has (measured: probe-events in the
 * real-firmware differential).  Nothing happens on other personalities.
 *
 * Return: false if the map has no free page (the call must fail).
 */
bool fw_uboot_event_alloc(struct fw_event *event)
{
	event->pages = 0;
	if (!is_uboot())
		return true;
	if (!fw_map_alloc(EfiBootServicesData, 1, DELTA_AUTO, UINT64_MAX, false, &event->start))
		return false;
	event->pages = 1;
	return true;
}

/**
 * fw_uboot_event_free() - CloseEvent gives an event's page back (U-Boot).
 * @event: the event being closed.
 */
void fw_uboot_event_free(struct fw_event *event)
{
	if (event->pages == 0)
		return;
	fw_map_free(event->start, event->pages, false);
	event->pages = 0;
}

/**
 * fw_uboot_pool_zero() - U-Boot's answer to AllocatePool of 0 bytes.
 * @size: the requested size.
 * @buffer: the caller's pointer, already checked not NULL.
 *
 * efi_allocate_pool() returns EFI_SUCCESS and a NULL pointer for 0 bytes,
 * before allocating anything: no page, no key change (measured:
 * probe-pool-zero).  EDK2 hands out a block as for any small size.
 *
 * Return: true if the call is answered (and *@buffer set to NULL).
 */
bool fw_uboot_pool_zero(UINTN size, VOID **buffer)
{
	if (!is_uboot() || size != 0)
		return false;
	fw_arg_put_ptr(buffer, NULL, "AllocatePool()'s Buffer");
	FW_TRACE("# call %u: AllocatePool(0) -> EFI_SUCCESS, NULL (U-Boot allocates nothing)\n",
		 fw.calls);
	return true;
}

/* U-Boot 2023.01 efi_memory.c: struct efi_pool_allocation, 64 bytes before
 * the data (measured: the pointer is the page plus 0x40). */
#define UBOOT_POOL_HEADER 64u

/**
 * fw_pool_overhead() - bytes a pool block takes beyond the caller's size.
 *
 * Decides how many pages a pool allocation served from whole pages takes:
 * U-Boot's 64-byte header makes 4040 bytes two pages (probe-pool-header);
 * other personalities keep EDK2's FW_POOL_OVERHEAD.
 *
 * Return: the overhead in bytes.
 */
unsigned fw_pool_overhead(void)
{
	return is_uboot() ? UBOOT_POOL_HEADER : FW_POOL_OVERHEAD;
}

/**
 * fw_uboot_key_on_success_only() - U-Boot writes MapKey only on success.
 * @map: the caller's buffer.
 *
 * The BUFFER_TOO_SMALL path follows QUIRK_KEY_UNWRITTEN_ON_TOO_SMALL; this
 * covers the other failure, a NULL buffer with a large enough size, where
 * efi_get_memory_map() returns before writing the key (probe-null-buffer).
 *
 * Return: true if the key must not be written for this call.
 */
bool fw_uboot_key_on_success_only(const EFI_MEMORY_DESCRIPTOR *map)
{
	return is_uboot() && map == NULL;
}

/**
 * fw_uboot_null_buffer() - U-Boot's answer to a NULL buffer that is big
 * enough: EFI_INVALID_PARAMETER (UEFI 2.10 section 7.2.3), with the needed
 * size written first (efi_get_memory_map() sets *MemoryMapSize before its
 * checks; measured: probe-null-buffer).  Other personalities leave the
 * size alone.
 * @size: the caller's MemoryMapSize.
 * @required: the bytes the map needs.
 *
 * Return: EFI_INVALID_PARAMETER.
 */
EFI_STATUS fw_uboot_null_buffer(UINTN *size, size_t required)
{
	if (is_uboot())
		fw_arg_put_uintn(size, (UINTN)required, "GetMemoryMap()'s MemoryMapSize");
	return EFI_INVALID_PARAMETER;
}

/**
 * fw_uboot_alloc_failed() - U-Boot bumps the key when an allocation fails
 * for want of memory.
 * @by_firmware: a handler or timer asked, not the loader.
 *
 * Measured on U-Boot 2023.01: AllocatePages and AllocatePool of more than
 * any free range holds return EFI_OUT_OF_RESOURCES and still move the key
 * by one, from a loader's call or from an exit handler's (probe-failed-alloc,
 * and a fuzzer-made input of sample-check: an EXIT handler asking for 65535
 * pages left the loader's map stale).  The map itself is unchanged; the
 * key is what loaders see, so it counts as a change.
 */
void fw_uboot_alloc_failed(bool by_firmware)
{
	if (is_uboot())
		fw_map_changed(by_firmware);
}

/**
 * fw_uboot_pool_is_nothing() - a pool allocation U-Boot serves without
 * memory: 0 bytes, from a loader (fw_uboot_pool_zero()) or a driver's
 * handler alike (sample-check: BEFORE and EXIT handlers allocating 0 bytes
 * left the map current on real U-Boot, stale on the fake).
 * @bytes: the requested size.
 *
 * Return: true if it takes no page.
 */
bool fw_uboot_pool_is_nothing(uint64_t bytes)
{
	return is_uboot() && bytes == 0;
}

/**
 * fw_uboot_allocatable() - the memory types U-Boot lets a caller allocate.
 * @type: the requested type.
 * @ok: out, whether U-Boot accepts it (set only when this returns true).
 *
 * efi_allocate_pages() refuses only EfiPersistentMemory up to 0x6fffffff,
 * so it accepts EfiConventionalMemory: the range stays free but the key
 * moves (sample-check: handlers allocating Conventional pool or pages left
 * the map stale on real U-Boot; probe-conventional).  EDK2 refuses it.
 *
 * Return: true on U-Boot (answer in @ok), false elsewhere.
 */
bool fw_uboot_allocatable(uint32_t type, bool *ok)
{
	if (!is_uboot())
		return false;
	*ok = !(type >= EfiPersistentMemory && type <= 0x6fffffffu);
	return true;
}

/**
 * fw_uboot_free_status() - U-Boot refuses to free a range that is free.
 * @type: the type the allocation was made with.
 *
 * efi_free_pages() and efi_free_pool() first check the address lies in
 * allocated memory (efi_check_allocated()); an EfiConventionalMemory
 * "allocation" is not, so its free fails with EFI_NOT_FOUND and changes
 * nothing (probe-conventional).
 *
 * Return: EFI_NOT_FOUND for that case, EFI_SUCCESS otherwise.
 */
EFI_STATUS fw_uboot_free_status(uint32_t type)
{
	return is_uboot() && type == EfiConventionalMemory ? EFI_NOT_FOUND : EFI_SUCCESS;
}
