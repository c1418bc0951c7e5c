/* SPDX-License-Identifier: MIT */
/*
 * test_protocols.c - the image's handle carries its loaded-image protocol
 * (UEFI 2.10 section 9.1), with EDK2's argument checks and statuses; no
 * other protocol is found; what a loader writes into it does not outlive
 * its run.
 */
#include <string.h>

#include "../fw/internal.h"
#include "testlib.h"

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
/* EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID: a protocol this machine lacks. */
static EFI_GUID file_system_guid = { 0x964e5b22, 0x6459, 0x11d2,
				     { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } };

/* As U-Boot's EFI stub starts (lib/efi/efi.c, efi_init): its loaded
 * image, then a pool of the image's data type, then the exit. */
static EFI_STATUS loaded_image_first(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_LOADED_IMAGE_PROTOCOL *li = NULL;
	VOID *pool = NULL;
	const uint8_t *path;

	CHECK(bs->HandleProtocol(image, &loaded_image_guid, (VOID **)&li) == EFI_SUCCESS);
	if (li == NULL)
		return EFI_LOAD_ERROR;
	CHECK(li->Revision == EFI_LOADED_IMAGE_PROTOCOL_REVISION);
	CHECK(li->SystemTable == st);
	CHECK(li->ImageCodeType == EfiLoaderCode && li->ImageDataType == EfiLoaderData);
	CHECK(li->LoadOptionsSize == 0 && li->LoadOptions == NULL);
	CHECK(li->ImageBase != NULL && li->ImageSize > 0);
	path = (const uint8_t *)li->FilePath;
	CHECK(path != NULL && path[0] == 0x7f && path[1] == 0xff && path[2] == 4 && path[3] == 0);
	CHECK(bs->AllocatePool(li->ImageDataType, 64, &pool) == EFI_SUCCESS);
	CHECK(bs->FreePool(pool) == EFI_SUCCESS);
	return loader_exit_boot(image, st);
}

/* CoreOpenProtocol's, CoreCloseProtocol's and CoreLocateProtocol's answers. */
static EFI_STATUS open_close_locate(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	VOID *li = NULL, *again = NULL, *none = (VOID *)st;

	CHECK(bs->OpenProtocol(image, &loaded_image_guid, &li, image, NULL,
			       EFI_OPEN_PROTOCOL_GET_PROTOCOL) == EFI_SUCCESS);
	CHECK(bs->HandleProtocol(image, &loaded_image_guid, &again) == EFI_SUCCESS);
	CHECK(li != NULL && li == again);
	CHECK(bs->OpenProtocol(image, &loaded_image_guid, NULL, image, NULL,
			       EFI_OPEN_PROTOCOL_TEST_PROTOCOL) == EFI_SUCCESS);
	CHECK(bs->CloseProtocol(image, &loaded_image_guid, image, NULL) == EFI_SUCCESS);
	CHECK(bs->CloseProtocol(image, &loaded_image_guid, image, NULL) == EFI_NOT_FOUND);
	CHECK(bs->OpenProtocol(image, &loaded_image_guid, NULL, image, NULL,
			       EFI_OPEN_PROTOCOL_GET_PROTOCOL) == EFI_INVALID_PARAMETER);
	CHECK(bs->OpenProtocol(image, &loaded_image_guid, &li, image, NULL, 0x40) ==
	      EFI_INVALID_PARAMETER);
	CHECK(bs->HandleProtocol(NULL, &loaded_image_guid, &again) == EFI_INVALID_PARAMETER);
	CHECK(bs->HandleProtocol(image, NULL, &again) == EFI_INVALID_PARAMETER);
	again = none;
	CHECK(bs->HandleProtocol(image, &file_system_guid, &again) == EFI_UNSUPPORTED);
	CHECK(again == NULL);
	again = none;
	CHECK(bs->LocateProtocol(&file_system_guid, NULL, &again) == EFI_NOT_FOUND);
	CHECK(again == NULL);
	CHECK(bs->LocateProtocol(&file_system_guid, NULL, NULL) == EFI_INVALID_PARAMETER);
	return loader_exit_boot(image, st);
}

/* A loader that writes into its loaded image and the image's bytes. */
static EFI_STATUS scribble(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE_PROTOCOL *li = NULL;

	if (st->BootServices->HandleProtocol(image, &loaded_image_guid, (VOID **)&li) == EFI_SUCCESS) {
		li->LoadOptions = li;
		li->LoadOptionsSize = 4;
		li->ImageDataType = EfiRuntimeServicesData;
		memset(li->ImageBase, 0x5a, 16);
	}
	return loader_exit_boot(image, st);
}

static EFI_STATUS expect_fresh(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE_PROTOCOL *li = NULL;

	CHECK(st->BootServices->HandleProtocol(image, &loaded_image_guid, (VOID **)&li) ==
	      EFI_SUCCESS);
	if (li != NULL) {
		CHECK(li->LoadOptions == NULL && li->LoadOptionsSize == 0);
		CHECK(li->ImageDataType == EfiLoaderData);
		CHECK(((const uint8_t *)li->ImageBase)[0] == 0);
	}
	return loader_exit_boot(image, st);
}

/* Two runs in one process, as the fuzzer makes them. */
static void fresh_every_run(void)
{
	static struct scenario scn;
	struct fw_options opt = testlib_options;
	struct fw_result result;

	scenario_from_text("firmware edk2-2025\n", &scn);
	fw_run(&scn, scribble, &opt, &result);
	test_check_failed = false;
	fw_run(&scn, expect_fresh, &opt, &result);
	test_result("what a loader wrote into its loaded image is gone in the next run",
		    !test_check_failed && result.exited, NULL);
}

int main(void)
{
	expect_clean("the loaded image on the image's handle, its data type for a pool",
		     "firmware edk2-2025\n", loaded_image_first, true);
	expect_clean("the loaded image on U-Boot", "firmware uboot\n", loaded_image_first, true);
	expect_clean("OpenProtocol, CloseProtocol and LocateProtocol as EDK2 answers them",
		     "firmware edk2-2025\n", open_close_locate, true);
	fresh_every_run();
	return test_summary("test_protocols");
}
