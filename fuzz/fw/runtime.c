/* SPDX-License-Identifier: MIT */
/*
 * runtime.c - runtime services (UEFI 2.10 section 8): legal before and
 * after ExitBootServices(), so never forbidden, but still counted against
 * the termination budget.  Modelled: ResetSystem(), which ends the run (a
 * loader that gives up may reset: uefi-rs does after two failed exits),
 * and SetVirtualAddressMap(), which a loader calls after the exit; the
 * others answer EFI_UNSUPPORTED, as UEFI 2.8 and later let a platform
 * answer a runtime service it does not support (its
 * EFI_RT_PROPERTIES_TABLE says which).
 */
#include "internal.h"

#define UNUSED __attribute__((unused))

static EFI_STATUS rt_unsupported(const char *what)
{
	oracle_check_call_budget(what);
	FW_TRACE("# call %u: RuntimeServices->%s() -> EFI_UNSUPPORTED\n", fw.calls, what);
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI rt_GetTime(EFI_TIME *t UNUSED, EFI_TIME_CAPABILITIES *c UNUSED)
{
	return rt_unsupported("GetTime");
}

static EFI_STATUS EFIAPI rt_SetTime(EFI_TIME *t UNUSED)
{
	return rt_unsupported("SetTime");
}

static EFI_STATUS EFIAPI rt_GetWakeupTime(BOOLEAN *e UNUSED, BOOLEAN *p UNUSED, EFI_TIME *t UNUSED)
{
	return rt_unsupported("GetWakeupTime");
}

static EFI_STATUS EFIAPI rt_SetWakeupTime(BOOLEAN e UNUSED, EFI_TIME *t UNUSED)
{
	return rt_unsupported("SetWakeupTime");
}

/* UEFI 2.10 section 8.4.1: once, after ExitBootServices().  EDK2's
 * RuntimeDxe (RuntimeDriverSetVirtualAddressMap) and U-Boot's
 * efi_set_virtual_address_map() refuse a call before the exit or a second
 * one (EFI_UNSUPPORTED), and a DescriptorSize below the structure's or
 * another DescriptorVersion (EFI_INVALID_PARAMETER); otherwise the switch
 * succeeds.  Answered EFI_UNSUPPORTED always, a loader that takes a failed
 * switch as fatal went down a path after a successful exit that no real
 * firmware sends it on (Minoca's FwDestroy(), freeing pages through the
 * boot services pointer it had cleared).  The map is not read: nothing of
 * the fake firmware's runs at runtime, to be relocated by it. */
static EFI_STATUS EFIAPI rt_SetVirtualAddressMap(UINTN size, UINTN desc_size, UINT32 version,
						 EFI_MEMORY_DESCRIPTOR *map UNUSED)
{
	EFI_STATUS status = EFI_SUCCESS;

	oracle_check_call_budget("SetVirtualAddressMap");
	if (fw.phase != PHASE_EXITED || fw.virtual_mode)
		status = EFI_UNSUPPORTED;
	else if (desc_size < sizeof(EFI_MEMORY_DESCRIPTOR) || version != EFI_MEMORY_DESCRIPTOR_VERSION)
		status = EFI_INVALID_PARAMETER;
	else
		fw.virtual_mode = true;
	FW_TRACE("# call %u: RuntimeServices->SetVirtualAddressMap(%zu bytes, DescriptorSize %zu, "
		 "version %u) -> %s\n",
		 fw.calls, (size_t)size, (size_t)desc_size, (unsigned)version, fw_status_name(status));
	return status;
}

static EFI_STATUS EFIAPI rt_ConvertPointer(UINTN d UNUSED, VOID **a UNUSED)
{
	return rt_unsupported("ConvertPointer");
}

static EFI_STATUS EFIAPI rt_GetVariable(CHAR16 *n UNUSED, EFI_GUID *g UNUSED, UINT32 *a UNUSED,
					UINTN *s UNUSED, VOID *d UNUSED)
{
	return rt_unsupported("GetVariable");
}

static EFI_STATUS EFIAPI rt_GetNextVariableName(UINTN *s UNUSED, CHAR16 *n UNUSED,
						EFI_GUID *g UNUSED)
{
	return rt_unsupported("GetNextVariableName");
}

static EFI_STATUS EFIAPI rt_SetVariable(CHAR16 *n UNUSED, EFI_GUID *g UNUSED, UINT32 a UNUSED,
					UINTN s UNUSED, VOID *d UNUSED)
{
	return rt_unsupported("SetVariable");
}

static EFI_STATUS EFIAPI rt_GetNextHighMonotonicCount(UINT32 *c UNUSED)
{
	return rt_unsupported("GetNextHighMonotonicCount");
}

static VOID EFIAPI rt_ResetSystem(EFI_RESET_TYPE type UNUSED, EFI_STATUS status UNUSED,
				  UINTN size UNUSED, VOID *data UNUSED)
{
	oracle_check_call_budget("ResetSystem");
	FW_TRACE("# call %u: ResetSystem: the run ends here\n", fw.calls);
	fw.ended = END_RESET;
	longjmp(fw.reset_jump, 1);
}

static EFI_STATUS EFIAPI rt_UpdateCapsule(EFI_CAPSULE_HEADER **h UNUSED, UINTN c UNUSED,
					  EFI_PHYSICAL_ADDRESS s UNUSED)
{
	return rt_unsupported("UpdateCapsule");
}

static EFI_STATUS EFIAPI rt_QueryCapsuleCapabilities(EFI_CAPSULE_HEADER **h UNUSED, UINTN c UNUSED,
						     UINT64 *m UNUSED, EFI_RESET_TYPE *r UNUSED)
{
	return rt_unsupported("QueryCapsuleCapabilities");
}

static EFI_STATUS EFIAPI rt_QueryVariableInfo(UINT32 a UNUSED, UINT64 *m UNUSED, UINT64 *r UNUSED,
					      UINT64 *s UNUSED)
{
	return rt_unsupported("QueryVariableInfo");
}

const EFI_RUNTIME_SERVICES fw_runtime_template = {
	.Hdr = { .Signature = EFI_RUNTIME_SERVICES_SIGNATURE },
	.GetTime = rt_GetTime,
	.SetTime = rt_SetTime,
	.GetWakeupTime = rt_GetWakeupTime,
	.SetWakeupTime = rt_SetWakeupTime,
	.SetVirtualAddressMap = rt_SetVirtualAddressMap,
	.ConvertPointer = rt_ConvertPointer,
	.GetVariable = rt_GetVariable,
	.GetNextVariableName = rt_GetNextVariableName,
	.SetVariable = rt_SetVariable,
	.GetNextHighMonotonicCount = rt_GetNextHighMonotonicCount,
	.ResetSystem = rt_ResetSystem,
	.UpdateCapsule = rt_UpdateCapsule,
	.QueryCapsuleCapabilities = rt_QueryCapsuleCapabilities,
	.QueryVariableInfo = rt_QueryVariableInfo,
};
