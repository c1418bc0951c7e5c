/* SPDX-License-Identifier: MIT */
/*
 * unsupported.c - the boot services the fake firmware does not model (the
 * protocol services it does are protocols.c's).
 *
 * Each has the exact prototype of its slot (calling through a mismatched
 * function type is undefined behaviour) and goes through fw_enter(), so it
 * is counted, checked against the phase rules and traced like any other
 * call; then it answers EFI_UNSUPPORTED.
 */
#include "internal.h"

#define UNUSED __attribute__((unused))

static EFI_STATUS unsupported(enum fw_service svc, struct fw_site site)
{
	EFI_STATUS status = fw_enter(svc, site);

	FW_TRACE("# call %u: %s -> EFI_UNSUPPORTED\n", fw.calls, scn_service_names[svc]);
	return fw_leave(svc, status != EFI_SUCCESS ? status : EFI_UNSUPPORTED);
}

static EFI_STATUS EFIAPI SignalEvent(EFI_EVENT e UNUSED)
{
	return unsupported(SVC_SignalEvent, FW_HERE);
}

static EFI_STATUS EFIAPI InstallProtocolInterface(EFI_HANDLE *h UNUSED, EFI_GUID *p UNUSED,
						  EFI_INTERFACE_TYPE t UNUSED, VOID *i UNUSED)
{
	return unsupported(SVC_InstallProtocolInterface, FW_HERE);
}

static EFI_STATUS EFIAPI ReinstallProtocolInterface(EFI_HANDLE h UNUSED, EFI_GUID *p UNUSED,
						    VOID *o UNUSED, VOID *n UNUSED)
{
	return unsupported(SVC_ReinstallProtocolInterface, FW_HERE);
}

static EFI_STATUS EFIAPI UninstallProtocolInterface(EFI_HANDLE h UNUSED, EFI_GUID *p UNUSED,
						    VOID *i UNUSED)
{
	return unsupported(SVC_UninstallProtocolInterface, FW_HERE);
}

static EFI_STATUS EFIAPI RegisterProtocolNotify(EFI_GUID *p UNUSED, EFI_EVENT e UNUSED,
						VOID **r UNUSED)
{
	return unsupported(SVC_RegisterProtocolNotify, FW_HERE);
}

static EFI_STATUS EFIAPI LocateHandle(EFI_LOCATE_SEARCH_TYPE t UNUSED, EFI_GUID *p UNUSED,
				      VOID *k UNUSED, UINTN *s UNUSED, EFI_HANDLE *b UNUSED)
{
	return unsupported(SVC_LocateHandle, FW_HERE);
}

static EFI_STATUS EFIAPI LocateDevicePath(EFI_GUID *p UNUSED, EFI_DEVICE_PATH_PROTOCOL **d UNUSED,
					  EFI_HANDLE *h UNUSED)
{
	return unsupported(SVC_LocateDevicePath, FW_HERE);
}

static EFI_STATUS EFIAPI LoadImage(BOOLEAN b UNUSED, EFI_HANDLE p UNUSED,
				   EFI_DEVICE_PATH_PROTOCOL *d UNUSED, VOID *s UNUSED,
				   UINTN n UNUSED, EFI_HANDLE *i UNUSED)
{
	return unsupported(SVC_LoadImage, FW_HERE);
}

static EFI_STATUS EFIAPI StartImage(EFI_HANDLE i UNUSED, UINTN *s UNUSED, CHAR16 **d UNUSED)
{
	return unsupported(SVC_StartImage, FW_HERE);
}

static EFI_STATUS EFIAPI UnloadImage(EFI_HANDLE i UNUSED)
{
	return unsupported(SVC_UnloadImage, FW_HERE);
}

static EFI_STATUS EFIAPI ConnectController(EFI_HANDLE c UNUSED, EFI_HANDLE *d UNUSED,
					   EFI_DEVICE_PATH_PROTOCOL *r UNUSED, BOOLEAN x UNUSED)
{
	return unsupported(SVC_ConnectController, FW_HERE);
}

static EFI_STATUS EFIAPI DisconnectController(EFI_HANDLE c UNUSED, EFI_HANDLE d UNUSED,
					      EFI_HANDLE x UNUSED)
{
	return unsupported(SVC_DisconnectController, FW_HERE);
}

static EFI_STATUS EFIAPI OpenProtocolInformation(EFI_HANDLE h UNUSED, EFI_GUID *p UNUSED,
						 EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **e UNUSED,
						 UINTN *n UNUSED)
{
	return unsupported(SVC_OpenProtocolInformation, FW_HERE);
}

static EFI_STATUS EFIAPI ProtocolsPerHandle(EFI_HANDLE h UNUSED, EFI_GUID ***b UNUSED,
					    UINTN *n UNUSED)
{
	return unsupported(SVC_ProtocolsPerHandle, FW_HERE);
}

static EFI_STATUS EFIAPI LocateHandleBuffer(EFI_LOCATE_SEARCH_TYPE t UNUSED, EFI_GUID *p UNUSED,
					    VOID *k UNUSED, UINTN *n UNUSED, EFI_HANDLE **b UNUSED)
{
	return unsupported(SVC_LocateHandleBuffer, FW_HERE);
}

static EFI_STATUS EFIAPI InstallMultipleProtocolInterfaces(EFI_HANDLE *h UNUSED, ...)
{
	return unsupported(SVC_InstallMultipleProtocolInterfaces, FW_HERE);
}

static EFI_STATUS EFIAPI UninstallMultipleProtocolInterfaces(EFI_HANDLE h UNUSED, ...)
{
	return unsupported(SVC_UninstallMultipleProtocolInterfaces, FW_HERE);
}

/**
 * fw_unsupported_install() - fill the unmodelled slots of @bs.
 * @bs: the boot services table being built.
 */
void fw_unsupported_install(EFI_BOOT_SERVICES *bs)
{
	bs->SignalEvent = SignalEvent;
	bs->InstallProtocolInterface = InstallProtocolInterface;
	bs->ReinstallProtocolInterface = ReinstallProtocolInterface;
	bs->UninstallProtocolInterface = UninstallProtocolInterface;
	bs->RegisterProtocolNotify = RegisterProtocolNotify;
	bs->LocateHandle = LocateHandle;
	bs->LocateDevicePath = LocateDevicePath;
	bs->LoadImage = LoadImage;
	bs->StartImage = StartImage;
	bs->UnloadImage = UnloadImage;
	bs->ConnectController = ConnectController;
	bs->DisconnectController = DisconnectController;
	bs->OpenProtocolInformation = OpenProtocolInformation;
	bs->ProtocolsPerHandle = ProtocolsPerHandle;
	bs->LocateHandleBuffer = LocateHandleBuffer;
	bs->InstallMultipleProtocolInterfaces = InstallMultipleProtocolInterfaces;
	bs->UninstallMultipleProtocolInterfaces = UninstallMultipleProtocolInterfaces;
}
