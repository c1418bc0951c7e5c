/* SPDX-License-Identifier: MIT */
/*
 * test_uboot.c - the fake firmware's U-Boot personality (fuzz/fw/uboot.c)
 * does what U-Boot measurably does (docs/uboot.md): pool calls that are
 * page calls, timers only where it polls, and the answers the real-firmware
 * differential measured on U-Boot 2023.01.
 *
 * Each test is a probe loader, as in test_firmware.c: it CHECKs the answers
 * and then leaves boot services through the hardened loader.
 */
#include "testlib.h"

/* The key after a full read: U-Boot writes none on BUFFER_TOO_SMALL. */
static UINTN key_now(EFI_BOOT_SERVICES *bs)
{
	static UINT8 buf[1 << 15] __attribute__((aligned(8)));
	UINTN size = sizeof(buf), key = 0, dsize;
	UINT32 version;

	CHECK(bs->GetMemoryMap(&size, (VOID *)buf, &key, &dsize, &version) == EFI_SUCCESS);
	return key;
}

/* U-Boot: every pool call is a page call (F18). */
static EFI_STATUS pool_and_key_uboot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN k0, k1, k2;
	VOID *p;

	k0 = key_now(bs);
	CHECK(bs->AllocatePool(EfiBootServicesData, 16, &p) == EFI_SUCCESS);
	k1 = key_now(bs);
	bs->FreePool(p);
	k2 = key_now(bs);
	CHECK(k1 == k0 + 1 && k2 == k1 + 1);
	return loader_exit_boot(image, st);
}

/* U-Boot fires timers only where it polls (fw/uboot.c): the key moves at
 * RestoreTPL and at a Stall that waits, never at GetMemoryMap or Stall(0). */
static EFI_STATUS uboot_timer_polls(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN k0 = key_now(bs), k1, k2;

	CHECK(key_now(bs) == k0); /* at-call 1 was due from the start */
	bs->Stall(0);
	CHECK(key_now(bs) == k0);
	bs->RestoreTPL(bs->RaiseTPL(TPL_NOTIFY));
	k1 = key_now(bs);
	CHECK(k1 == k0 + 1);
	bs->Stall(10); /* period 1: due again */
	k2 = key_now(bs);
	CHECK(k2 == k1 + 1);
	return loader_exit_boot(image, st);
}

static VOID EFIAPI nothing(EFI_EVENT e, VOID *c)
{
	(void)e;
	(void)c;
}

/* U-Boot 2023.01, as the differential measured it (fuzz/fw/uboot.c): events
 * are pages, AllocatePool(0) is NULL, pool blocks carry 64 bytes, a NULL
 * buffer gets the needed size and no key, failed allocations move the key,
 * Conventional memory may be allocated (key +1) but not freed. */
static EFI_STATUS uboot_measured(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN k0 = key_now(bs), size = 1u << 20, key = 0xdead, dsize;
	EFI_PHYSICAL_ADDRESS address;
	UINT32 version;
	EFI_EVENT e;
	VOID *p = &p;

	CHECK(bs->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, nothing, NULL, &e) == EFI_SUCCESS);
	CHECK(key_now(bs) == k0 + 1);
	CHECK(bs->CloseEvent(e) == EFI_SUCCESS);
	CHECK(key_now(bs) == k0 + 2);
	CHECK(bs->AllocatePool(EfiLoaderData, 0, &p) == EFI_SUCCESS && p == NULL);
	CHECK(key_now(bs) == k0 + 2);
	CHECK(bs->GetMemoryMap(&size, NULL, &key, &dsize, &version) == EFI_INVALID_PARAMETER);
	CHECK(key == 0xdead && size != 1u << 20 && size % 40 == 0);
	CHECK(bs->AllocatePages(AllocateAnyPages, EfiLoaderData, 60000, &address) ==
	      EFI_OUT_OF_RESOURCES);
	CHECK(key_now(bs) == k0 + 3);
	CHECK(bs->AllocatePages(AllocateAnyPages, EfiConventionalMemory, 1, &address) ==
	      EFI_SUCCESS);
	CHECK(key_now(bs) == k0 + 4);
	CHECK(bs->FreePages(address, 1) == EFI_NOT_FOUND);
	CHECK(key_now(bs) == k0 + 4);
	return loader_exit_boot(image, st);
}

/* The pages a 4040-byte pool takes: 2 with U-Boot's header, 1 with EDK2's. */
static UINT64 loader_data_pages(EFI_BOOT_SERVICES *bs)
{
	static UINT8 buf[1 << 15] __attribute__((aligned(8)));
	UINTN size = sizeof(buf), key, dsize, off;
	UINT64 pages = 0;
	UINT32 version;

	CHECK(bs->GetMemoryMap(&size, (VOID *)buf, &key, &dsize, &version) == EFI_SUCCESS);
	for (off = 0; off + dsize <= size; off += dsize) {
		const EFI_MEMORY_DESCRIPTOR *d = (const VOID *)(buf + off);

		if (d->Type == EfiLoaderData)
			pages += d->NumberOfPages;
	}
	return pages;
}

static EFI_STATUS uboot_pool_header(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINT64 before = loader_data_pages(bs);
	VOID *p;

	CHECK(bs->AllocatePool(EfiLoaderData, 4040, &p) == EFI_SUCCESS);
	CHECK(loader_data_pages(bs) == before + 2);
	bs->FreePool(p);
	return loader_exit_boot(image, st);
}

int main(void)
{
	expect_clean("U-Boot pools and the key", "firmware uboot\n", pool_and_key_uboot, true);
	expect_clean("U-Boot: timers fire at RestoreTPL and Stall",
		     "firmware uboot\ntimer at-call at=1 period=1 alloc-pages LoaderData "
		     "amount=1 delta=+1 repeat=1\n",
		     uboot_timer_polls, false);
	expect_clean("U-Boot: events, pool(0), NULL buffer, failed and Conventional allocations",
		     "firmware uboot\nmap uboot-x86\n", uboot_measured, false);
	expect_clean("U-Boot: a 64-byte pool header", "firmware uboot\n", uboot_pool_header, true);
	return test_summary("test_uboot");
}
