/* SPDX-License-Identifier: MIT */
/*
 * protocols.c - the loader's image handle and the one protocol on it,
 * EFI_LOADED_IMAGE_PROTOCOL; every other protocol is absent.
 *
 * Why: every image's handle carries its loaded-image protocol (UEFI 2.10
 * section 9.1; EDK2's CoreLoadImageCommon and U-Boot's
 * efi_setup_loaded_image install it before the image starts), and real
 * loaders ask for it before anything else: U-Boot's EFI stub for the
 * memory type of its pool, ReactOS's FreeLoader, GRUB for its device and
 * command line, the Linux stub for its base and command line.  Answered
 * EFI_UNSUPPORTED, U-Boot's stub went on to read its private data through
 * NULL: a crash on compliant firmware that no real firmware gives
 * (docs/real-loaders.md).
 *
 * The machine has no disk, screen or network: the image was loaded from
 * memory (no device handle, an empty file path, no load options), and a
 * search for any protocol finds nothing.  The argument checks and statuses
 * are EDK2's (MdeModulePkg/Core/Dxe/Hand/Handle.c, CoreOpenProtocol,
 * CoreCloseProtocol, CoreHandleProtocol; Locate.c, CoreLocateProtocol).
 */
#include <string.h>

#include "internal.h"

/* The handle fw_run() passes the loader; its address is all it is. */
static uint8_t image_handle_object;

/* An image's bytes are not modelled: one page of zeros stands for them. */
static uint8_t image_bytes[EFI_PAGE_SIZE] __attribute__((aligned(EFI_PAGE_SIZE)));

static EFI_DEVICE_PATH_PROTOCOL empty_file_path;
static EFI_LOADED_IMAGE_PROTOCOL loaded_image;
static bool handed_out; /* the loader may have written them this run */

/* Who has the loaded image open (CloseProtocol() needs a match, as in
 * EDK2); past OPENS_KEPT, any close succeeds. */
#define OPENS_KEPT 8u
struct open_by {
	EFI_HANDLE agent, controller;
};
static struct open_by opens[OPENS_KEPT];
static unsigned n_opens;
static bool opens_overflowed;

static const EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;

EFI_HANDLE fw_image_handle(void)
{
	return &image_handle_object;
}

/**
 * fw_protocols_reset() - the loaded image as it is when an image starts,
 * whatever the last run's loader wrote into it.
 */
void fw_protocols_reset(void)
{
	n_opens = 0;
	opens_overflowed = false;
	if (!handed_out && loaded_image.Revision != 0)
		return;
	handed_out = false;
	memset(image_bytes, 0, sizeof(image_bytes));
	/* Section 10.3.1: the end of a device path, type 0x7f, subtype 0xff. */
	empty_file_path = (EFI_DEVICE_PATH_PROTOCOL){ 0x7f, 0xff, { 4, 0 } };
	loaded_image = (EFI_LOADED_IMAGE_PROTOCOL){
		.Revision = EFI_LOADED_IMAGE_PROTOCOL_REVISION,
		.SystemTable = &fw.st,
		.FilePath = &empty_file_path,
		.ImageBase = image_bytes,
		.ImageSize = sizeof(image_bytes),
		.ImageCodeType = EfiLoaderCode,
		.ImageDataType = EfiLoaderData,
	};
}

/* Whether the loader's GUID at @guid is the loaded image's (read once,
 * checked at the loader's call: loader_access.c). */
static bool is_loaded_image(const EFI_GUID *guid)
{
	EFI_GUID g;

	fw_loader_read(&g, guid, sizeof(g));
	return fw_same_bytes(&g, &loaded_image_guid, sizeof(g));
}

static void note_open(EFI_HANDLE agent, EFI_HANDLE controller)
{
	unsigned i;

	for (i = 0; i < n_opens; i++)
		if (opens[i].agent == agent && opens[i].controller == controller)
			return;
	if (n_opens == OPENS_KEPT)
		opens_overflowed = true;
	else
		opens[n_opens++] = (struct open_by){ agent, controller };
}

/*
 * CoreOpenProtocol: *Interface cleared first (but for a test), the
 * attributes checked, the handle validated, then the protocol looked up.
 * The driver-model attributes (a driver opening a controller) are not
 * modelled: EFI_UNSUPPORTED, as for every service the fake does not model.
 * @what: the out-parameter's name for a report (the service called).
 */
static EFI_STATUS open_protocol(EFI_HANDLE handle, EFI_GUID *protocol, VOID **interface,
				EFI_HANDLE agent, EFI_HANDLE controller, UINT32 attributes,
				const char *what)
{
	if (protocol == NULL)
		return EFI_INVALID_PARAMETER;
	if (attributes != EFI_OPEN_PROTOCOL_TEST_PROTOCOL) {
		if (interface == NULL)
			return EFI_INVALID_PARAMETER;
		fw_arg_put_ptr(interface, NULL, what);
	}
	switch (attributes) {
	case EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL:
	case EFI_OPEN_PROTOCOL_GET_PROTOCOL:
	case EFI_OPEN_PROTOCOL_TEST_PROTOCOL:
		break;
	case EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER:
	case EFI_OPEN_PROTOCOL_BY_DRIVER:
	case EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE:
	case EFI_OPEN_PROTOCOL_EXCLUSIVE:
		return EFI_UNSUPPORTED;
	default:
		return EFI_INVALID_PARAMETER;
	}
	if (handle == NULL)
		return EFI_INVALID_PARAMETER;
	if (handle != fw_image_handle() || !is_loaded_image(protocol))
		return EFI_UNSUPPORTED;
	if (attributes == EFI_OPEN_PROTOCOL_TEST_PROTOCOL)
		return EFI_SUCCESS;
	handed_out = true;
	note_open(agent, controller);
	fw_arg_put_ptr(interface, &loaded_image, what);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI OpenProtocol(EFI_HANDLE handle, EFI_GUID *protocol, VOID **interface,
				      EFI_HANDLE agent, EFI_HANDLE controller, UINT32 attributes)
{
	EFI_STATUS status = FW_ENTER(SVC_OpenProtocol);

	if (status == EFI_SUCCESS)
		status = open_protocol(handle, protocol, interface, agent, controller, attributes,
				       "OpenProtocol()'s Interface");
	FW_TRACE("# call %u: OpenProtocol(%s, attributes 0x%x) -> %s\n", fw.calls,
		 handle == fw_image_handle() ? "the image's handle" : "a handle it does not have",
		 (unsigned)attributes, fw_status_name(status));
	return fw_leave(SVC_OpenProtocol, status);
}

/* CoreHandleProtocol: an open by the firmware's own image (EDK2's
 * gDxeCoreImageHandle; here any address the loader was never given),
 * which the loader cannot close. */
static EFI_STATUS EFIAPI HandleProtocol(EFI_HANDLE handle, EFI_GUID *protocol, VOID **interface)
{
	EFI_STATUS status = FW_ENTER(SVC_HandleProtocol);

	if (status == EFI_SUCCESS)
		status = open_protocol(handle, protocol, interface, &loaded_image, NULL,
				       EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL,
				       "HandleProtocol()'s Interface");
	FW_TRACE("# call %u: HandleProtocol(%s) -> %s\n", fw.calls,
		 handle == fw_image_handle() ? "the image's handle" : "a handle it does not have",
		 fw_status_name(status));
	return fw_leave(SVC_HandleProtocol, status);
}

/* CoreCloseProtocol: EFI_NOT_FOUND unless that agent and controller have
 * the protocol open. */
static EFI_STATUS close_protocol(EFI_HANDLE handle, EFI_GUID *protocol, EFI_HANDLE agent,
				 EFI_HANDLE controller)
{
	unsigned i;

	if (protocol == NULL || handle == NULL || agent == NULL)
		return EFI_INVALID_PARAMETER;
	if (handle != fw_image_handle() || !is_loaded_image(protocol))
		return EFI_NOT_FOUND;
	for (i = 0; i < n_opens; i++)
		if (opens[i].agent == agent && opens[i].controller == controller) {
			opens[i] = opens[--n_opens];
			return EFI_SUCCESS;
		}
	return opens_overflowed ? EFI_SUCCESS : EFI_NOT_FOUND;
}

static EFI_STATUS EFIAPI CloseProtocol(EFI_HANDLE handle, EFI_GUID *protocol, EFI_HANDLE agent,
				       EFI_HANDLE controller)
{
	EFI_STATUS status = FW_ENTER(SVC_CloseProtocol);

	if (status == EFI_SUCCESS)
		status = close_protocol(handle, protocol, agent, controller);
	FW_TRACE("# call %u: CloseProtocol() -> %s\n", fw.calls, fw_status_name(status));
	return fw_leave(SVC_CloseProtocol, status);
}

/* UEFI 2.10 section 7.3.16: no instance of any protocol to find
 * (CoreLocateProtocol: EFI_NOT_FOUND for a NULL Protocol too). */
static EFI_STATUS EFIAPI LocateProtocol(EFI_GUID *protocol, VOID *registration, VOID **interface)
{
	EFI_STATUS status = FW_ENTER(SVC_LocateProtocol);

	(void)protocol;
	(void)registration;
	if (status == EFI_SUCCESS)
		status = interface == NULL ? EFI_INVALID_PARAMETER : EFI_NOT_FOUND;
	if (status == EFI_NOT_FOUND)
		fw_arg_put_ptr(interface, NULL, "LocateProtocol()'s Interface");
	FW_TRACE("# call %u: LocateProtocol() -> %s\n", fw.calls, fw_status_name(status));
	return fw_leave(SVC_LocateProtocol, status);
}

/**
 * fw_protocols_install() - the protocol services of @bs (after
 * fw_unsupported_install(), whose slots these replace).
 * @bs: the boot services table being built.
 */
void fw_protocols_install(EFI_BOOT_SERVICES *bs)
{
	bs->HandleProtocol = HandleProtocol;
	bs->OpenProtocol = OpenProtocol;
	bs->CloseProtocol = CloseProtocol;
	bs->LocateProtocol = LocateProtocol;
}
