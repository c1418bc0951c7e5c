/* SPDX-License-Identifier: MIT */
/*
 * efi.h - the UEFI types a loader needs to end boot services.
 *
 * Layouts follow the UEFI Specification 2.10 exactly (section numbers below),
 * so that a loader compiled against gnu-efi's or EDK2's headers runs against
 * ebsfuzz's fake firmware unchanged, and a loader compiled against this header
 * runs on real firmware.  Static assertions pin the offsets loaders depend on.
 *
 * Member names keep the specification's spelling (BootServices->GetMemoryMap)
 * because that is what loader authors read in the spec, in EDK2 and in gnu-efi.
 *
 * This header must stay freestanding: stdint/stddef/stdbool only.
 */
#ifndef EBSFUZZ_CORE_EFI_H
#define EBSFUZZ_CORE_EFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * UEFI 2.10 section 2.3.4: x86-64 firmware uses the Microsoft x64 calling
 * convention.  On a Linux host the fake firmware and the loader both declare
 * their boot-service functions EFIAPI, so calls cross the same ABI as on
 * hardware.  When targeting a PE image (clang -target x86_64-unknown-windows)
 * ms_abi is already the default.
 */
#if defined(__x86_64__) && !defined(_WIN32)
#define EFIAPI __attribute__((ms_abi))
#else
#define EFIAPI
#endif

/* Section 2.3.1, table "Common UEFI Data Types". */
typedef uint8_t BOOLEAN;
typedef intptr_t INTN;
typedef uintptr_t UINTN;
typedef int8_t INT8;
typedef uint8_t UINT8;
typedef int16_t INT16;
typedef uint16_t UINT16;
typedef int32_t INT32;
typedef uint32_t UINT32;
typedef int64_t INT64;
typedef uint64_t UINT64;
typedef uint16_t CHAR16;
typedef void VOID;
typedef UINTN EFI_STATUS;
typedef VOID *EFI_HANDLE;
typedef VOID *EFI_EVENT;
typedef UINTN EFI_TPL;
typedef UINT64 EFI_LBA;
typedef UINT64 EFI_PHYSICAL_ADDRESS;
typedef UINT64 EFI_VIRTUAL_ADDRESS;

typedef struct {
	UINT32 Data1;
	UINT16 Data2;
	UINT16 Data3;
	UINT8 Data4[8];
} EFI_GUID;

/* Appendix D: status codes.  Errors have the top bit of UINTN set. */
#define EFI_ERROR_BIT ((UINTN)1 << (sizeof(UINTN) * 8 - 1))
#define EFIERR(code) (EFI_ERROR_BIT | (UINTN)(code))
#define EFI_ERROR(status) (((UINTN)(status) & EFI_ERROR_BIT) != 0)

#define EFI_SUCCESS ((EFI_STATUS)0)
#define EFI_LOAD_ERROR EFIERR(1)
#define EFI_INVALID_PARAMETER EFIERR(2)
#define EFI_UNSUPPORTED EFIERR(3)
#define EFI_BAD_BUFFER_SIZE EFIERR(4)
#define EFI_BUFFER_TOO_SMALL EFIERR(5)
#define EFI_NOT_READY EFIERR(6)
#define EFI_DEVICE_ERROR EFIERR(7)
#define EFI_WRITE_PROTECTED EFIERR(8)
#define EFI_OUT_OF_RESOURCES EFIERR(9)
#define EFI_VOLUME_CORRUPTED EFIERR(10)
#define EFI_VOLUME_FULL EFIERR(11)
#define EFI_NO_MEDIA EFIERR(12)
#define EFI_MEDIA_CHANGED EFIERR(13)
#define EFI_NOT_FOUND EFIERR(14)
#define EFI_ACCESS_DENIED EFIERR(15)
#define EFI_NO_RESPONSE EFIERR(16)
#define EFI_NO_MAPPING EFIERR(17)
#define EFI_TIMEOUT EFIERR(18)
#define EFI_NOT_STARTED EFIERR(19)
#define EFI_ALREADY_STARTED EFIERR(20)
#define EFI_ABORTED EFIERR(21)
#define EFI_ICMP_ERROR EFIERR(22)
#define EFI_TFTP_ERROR EFIERR(23)
#define EFI_PROTOCOL_ERROR EFIERR(24)
#define EFI_INCOMPATIBLE_VERSION EFIERR(25)
#define EFI_SECURITY_VIOLATION EFIERR(26)
#define EFI_CRC_ERROR EFIERR(27)
#define EFI_END_OF_MEDIA EFIERR(28)
#define EFI_END_OF_FILE EFIERR(31)
#define EFI_INVALID_LANGUAGE EFIERR(32)
#define EFI_COMPROMISED_DATA EFIERR(33)
#define EFI_IP_ADDRESS_CONFLICT EFIERR(34)
#define EFI_HTTP_ERROR EFIERR(35)

/* Section 4.2: table header; revisions are (major << 16) | minor * 10. */
typedef struct {
	UINT64 Signature;
	UINT32 Revision;
	UINT32 HeaderSize;
	UINT32 CRC32;
	UINT32 Reserved;
} EFI_TABLE_HEADER;

#define EFI_SPECIFICATION_REVISION(major, minor) (((UINT32)(major) << 16) | (UINT32)(minor))
#define EFI_1_10_SYSTEM_TABLE_REVISION EFI_SPECIFICATION_REVISION(1, 10)
#define EFI_2_00_SYSTEM_TABLE_REVISION EFI_SPECIFICATION_REVISION(2, 0)
#define EFI_2_31_SYSTEM_TABLE_REVISION EFI_SPECIFICATION_REVISION(2, 31)
#define EFI_2_70_SYSTEM_TABLE_REVISION EFI_SPECIFICATION_REVISION(2, 70)
#define EFI_2_80_SYSTEM_TABLE_REVISION EFI_SPECIFICATION_REVISION(2, 80)
#define EFI_2_90_SYSTEM_TABLE_REVISION EFI_SPECIFICATION_REVISION(2, 90)
#define EFI_2_100_SYSTEM_TABLE_REVISION EFI_SPECIFICATION_REVISION(2, 100)

#define EFI_SYSTEM_TABLE_SIGNATURE 0x5453595320494249ULL /* "IBI SYST" */
#define EFI_BOOT_SERVICES_SIGNATURE 0x56524553544f4f42ULL /* "BOOTSERV" */
#define EFI_RUNTIME_SERVICES_SIGNATURE 0x56524553544e5552ULL /* "RUNTSERV" */

/* Section 7.2: memory types and the memory descriptor. */
typedef enum {
	EfiReservedMemoryType,
	EfiLoaderCode,
	EfiLoaderData,
	EfiBootServicesCode,
	EfiBootServicesData,
	EfiRuntimeServicesCode,
	EfiRuntimeServicesData,
	EfiConventionalMemory,
	EfiUnusableMemory,
	EfiACPIReclaimMemory,
	EfiACPIMemoryNVS,
	EfiMemoryMappedIO,
	EfiMemoryMappedIOPortSpace,
	EfiPalCode,
	EfiPersistentMemory,
	EfiUnacceptedMemoryType,
	EfiMaxMemoryType
} EFI_MEMORY_TYPE;

typedef enum {
	AllocateAnyPages,
	AllocateMaxAddress,
	AllocateAddress,
	MaxAllocateType
} EFI_ALLOCATE_TYPE;

#define EFI_PAGE_SIZE 4096u
#define EFI_PAGE_SHIFT 12u

#define EFI_MEMORY_UC 0x0000000000000001ULL
#define EFI_MEMORY_WC 0x0000000000000002ULL
#define EFI_MEMORY_WT 0x0000000000000004ULL
#define EFI_MEMORY_WB 0x0000000000000008ULL
#define EFI_MEMORY_UCE 0x0000000000000010ULL
#define EFI_MEMORY_WP 0x0000000000001000ULL
#define EFI_MEMORY_RP 0x0000000000002000ULL
#define EFI_MEMORY_XP 0x0000000000004000ULL
#define EFI_MEMORY_NV 0x0000000000008000ULL
#define EFI_MEMORY_MORE_RELIABLE 0x0000000000010000ULL
#define EFI_MEMORY_RO 0x0000000000020000ULL
#define EFI_MEMORY_SP 0x0000000000040000ULL
#define EFI_MEMORY_CPU_CRYPTO 0x0000000000080000ULL
#define EFI_MEMORY_RUNTIME 0x8000000000000000ULL

#define EFI_MEMORY_DESCRIPTOR_VERSION 1u

/*
 * Section 7.2.3 (GetMemoryMap): firmware returns DescriptorSize so that the
 * descriptor may grow; "OS software must use the DescriptorSize to find the
 * start of each EFI_MEMORY_DESCRIPTOR".  EDK2 reports 48 for this 40-byte
 * structure on purpose (MdeModulePkg/Core/Dxe/Mem/Page.c).
 */
typedef struct {
	UINT32 Type;
	EFI_PHYSICAL_ADDRESS PhysicalStart;
	EFI_VIRTUAL_ADDRESS VirtualStart;
	UINT64 NumberOfPages;
	UINT64 Attribute;
} EFI_MEMORY_DESCRIPTOR;

/* Section 7.1: events, task priority levels and event groups. */
#define EVT_TIMER 0x80000000u
#define EVT_RUNTIME 0x40000000u
#define EVT_NOTIFY_WAIT 0x00000100u
#define EVT_NOTIFY_SIGNAL 0x00000200u
#define EVT_SIGNAL_EXIT_BOOT_SERVICES 0x00000201u
#define EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE 0x60000202u

#define TPL_APPLICATION 4
#define TPL_CALLBACK 8
#define TPL_NOTIFY 16
#define TPL_HIGH_LEVEL 31

typedef VOID(EFIAPI *EFI_EVENT_NOTIFY)(EFI_EVENT Event, VOID *Context);

typedef enum { TimerCancel, TimerPeriodic, TimerRelative } EFI_TIMER_DELAY;

/* Section 7.1.2 (CreateEventEx), "Related Definitions". */
#define EFI_EVENT_GROUP_EXIT_BOOT_SERVICES                                    \
	{ 0x27abf055, 0xb1b8, 0x4c26, { 0x80, 0x48, 0x74, 0x8f, 0x37, 0xba, 0xa2, 0xdf } }
/* Introduced in UEFI 2.9. */
#define EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES                             \
	{ 0x8be0e274, 0x3970, 0x4b44, { 0x80, 0xc5, 0x1a, 0xb9, 0x50, 0x2f, 0x3b, 0xfc } }
#define EFI_EVENT_GROUP_MEMORY_MAP_CHANGE                                     \
	{ 0x78bee926, 0x692f, 0x48fd, { 0x9e, 0xdb, 0x01, 0x42, 0x2e, 0xf0, 0xd7, 0xab } }
#define EFI_EVENT_GROUP_VIRTUAL_ADDRESS_CHANGE                                \
	{ 0x13fa7698, 0xc831, 0x49c7, { 0x87, 0xea, 0x8f, 0x43, 0xfc, 0xc2, 0x51, 0x96 } }

/* Section 7.3: protocol handler services. */
typedef enum { EFI_NATIVE_INTERFACE } EFI_INTERFACE_TYPE;
typedef enum { AllHandles, ByRegisterNotify, ByProtocol } EFI_LOCATE_SEARCH_TYPE;

typedef struct EFI_DEVICE_PATH_PROTOCOL {
	UINT8 Type;
	UINT8 SubType;
	UINT8 Length[2];
} EFI_DEVICE_PATH_PROTOCOL;

typedef struct {
	EFI_HANDLE AgentHandle;
	EFI_HANDLE ControllerHandle;
	UINT32 Attributes;
	UINT32 OpenCount;
} EFI_OPEN_PROTOCOL_INFORMATION_ENTRY;

/* Section 7.3.9: OpenProtocol()'s Attributes. */
#define EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL 0x00000001u
#define EFI_OPEN_PROTOCOL_GET_PROTOCOL 0x00000002u
#define EFI_OPEN_PROTOCOL_TEST_PROTOCOL 0x00000004u
#define EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER 0x00000008u
#define EFI_OPEN_PROTOCOL_BY_DRIVER 0x00000010u
#define EFI_OPEN_PROTOCOL_EXCLUSIVE 0x00000020u

/* Section 9.1: the protocol on every image's handle. */
#define EFI_LOADED_IMAGE_PROTOCOL_GUID                                         \
	{ 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }
#define EFI_LOADED_IMAGE_PROTOCOL_REVISION 0x1000u

typedef struct EFI_SYSTEM_TABLE EFI_SYSTEM_TABLE;

typedef struct {
	UINT32 Revision;
	EFI_HANDLE ParentHandle;
	EFI_SYSTEM_TABLE *SystemTable;
	EFI_HANDLE DeviceHandle;
	EFI_DEVICE_PATH_PROTOCOL *FilePath;
	VOID *Reserved;
	UINT32 LoadOptionsSize;
	VOID *LoadOptions;
	VOID *ImageBase;
	UINT64 ImageSize;
	EFI_MEMORY_TYPE ImageCodeType;
	EFI_MEMORY_TYPE ImageDataType;
	EFI_STATUS(EFIAPI *Unload)(EFI_HANDLE ImageHandle);
} EFI_LOADED_IMAGE_PROTOCOL;

/* Section 12.4: the text output protocol (ConOut / StdErr). */
typedef struct EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL;

typedef struct {
	INT32 MaxMode;
	INT32 Mode;
	INT32 Attribute;
	INT32 CursorColumn;
	INT32 CursorRow;
	BOOLEAN CursorVisible;
} SIMPLE_TEXT_OUTPUT_MODE;

struct EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL {
	EFI_STATUS(EFIAPI *Reset)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, BOOLEAN ExtendedVerification);
	EFI_STATUS(EFIAPI *OutputString)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, CHAR16 *String);
	EFI_STATUS(EFIAPI *TestString)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, CHAR16 *String);
	EFI_STATUS(EFIAPI *QueryMode)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, UINTN ModeNumber,
				      UINTN *Columns, UINTN *Rows);
	EFI_STATUS(EFIAPI *SetMode)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, UINTN ModeNumber);
	EFI_STATUS(EFIAPI *SetAttribute)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, UINTN Attribute);
	EFI_STATUS(EFIAPI *ClearScreen)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This);
	EFI_STATUS(EFIAPI *SetCursorPosition)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, UINTN Column,
					      UINTN Row);
	EFI_STATUS(EFIAPI *EnableCursor)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, BOOLEAN Visible);
	SIMPLE_TEXT_OUTPUT_MODE *Mode;
};

/* Section 12.3: the text input protocol (ConIn).  A fatal path may wait
 * for a key before it resets (NetBSD's efiboot reboot(), ACRN's stub). */
typedef struct EFI_SIMPLE_TEXT_INPUT_PROTOCOL EFI_SIMPLE_TEXT_INPUT_PROTOCOL;

typedef struct {
	UINT16 ScanCode;
	CHAR16 UnicodeChar;
} EFI_INPUT_KEY;

struct EFI_SIMPLE_TEXT_INPUT_PROTOCOL {
	EFI_STATUS(EFIAPI *Reset)(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *This, BOOLEAN ExtendedVerification);
	EFI_STATUS(EFIAPI *ReadKeyStroke)(EFI_SIMPLE_TEXT_INPUT_PROTOCOL *This, EFI_INPUT_KEY *Key);
	EFI_EVENT WaitForKey;
};

/* Section 8.5: runtime services, legal before and after ExitBootServices. */
typedef struct {
	UINT16 Year;
	UINT8 Month;
	UINT8 Day;
	UINT8 Hour;
	UINT8 Minute;
	UINT8 Second;
	UINT8 Pad1;
	UINT32 Nanosecond;
	INT16 TimeZone;
	UINT8 Daylight;
	UINT8 Pad2;
} EFI_TIME;

typedef struct {
	UINT32 Resolution;
	UINT32 Accuracy;
	BOOLEAN SetsToZero;
} EFI_TIME_CAPABILITIES;

typedef enum { EfiResetCold, EfiResetWarm, EfiResetShutdown, EfiResetPlatformSpecific } EFI_RESET_TYPE;

typedef struct {
	EFI_GUID CapsuleGuid;
	UINT32 HeaderSize;
	UINT32 Flags;
	UINT32 CapsuleImageSize;
} EFI_CAPSULE_HEADER;

typedef struct {
	EFI_TABLE_HEADER Hdr;
	EFI_STATUS(EFIAPI *GetTime)(EFI_TIME *Time, EFI_TIME_CAPABILITIES *Capabilities);
	EFI_STATUS(EFIAPI *SetTime)(EFI_TIME *Time);
	EFI_STATUS(EFIAPI *GetWakeupTime)(BOOLEAN *Enabled, BOOLEAN *Pending, EFI_TIME *Time);
	EFI_STATUS(EFIAPI *SetWakeupTime)(BOOLEAN Enable, EFI_TIME *Time);
	EFI_STATUS(EFIAPI *SetVirtualAddressMap)(UINTN MemoryMapSize, UINTN DescriptorSize,
						 UINT32 DescriptorVersion,
						 EFI_MEMORY_DESCRIPTOR *VirtualMap);
	EFI_STATUS(EFIAPI *ConvertPointer)(UINTN DebugDisposition, VOID **Address);
	EFI_STATUS(EFIAPI *GetVariable)(CHAR16 *VariableName, EFI_GUID *VendorGuid,
					UINT32 *Attributes, UINTN *DataSize, VOID *Data);
	EFI_STATUS(EFIAPI *GetNextVariableName)(UINTN *VariableNameSize, CHAR16 *VariableName,
						EFI_GUID *VendorGuid);
	EFI_STATUS(EFIAPI *SetVariable)(CHAR16 *VariableName, EFI_GUID *VendorGuid,
					UINT32 Attributes, UINTN DataSize, VOID *Data);
	EFI_STATUS(EFIAPI *GetNextHighMonotonicCount)(UINT32 *HighCount);
	VOID(EFIAPI *ResetSystem)(EFI_RESET_TYPE ResetType, EFI_STATUS ResetStatus,
				  UINTN DataSize, VOID *ResetData);
	EFI_STATUS(EFIAPI *UpdateCapsule)(EFI_CAPSULE_HEADER **CapsuleHeaderArray,
					  UINTN CapsuleCount, EFI_PHYSICAL_ADDRESS ScatterGatherList);
	EFI_STATUS(EFIAPI *QueryCapsuleCapabilities)(EFI_CAPSULE_HEADER **CapsuleHeaderArray,
						     UINTN CapsuleCount, UINT64 *MaximumCapsuleSize,
						     EFI_RESET_TYPE *ResetType);
	EFI_STATUS(EFIAPI *QueryVariableInfo)(UINT32 Attributes, UINT64 *MaximumVariableStorageSize,
					      UINT64 *RemainingVariableStorageSize,
					      UINT64 *MaximumVariableSize);
} EFI_RUNTIME_SERVICES;

/*
 * Section 4.4: boot services, every slot of UEFI 2.10 in order.  Loaders
 * call through this table, so a slot out of place would make the fake
 * firmware answer the wrong question.
 */
typedef struct {
	EFI_TABLE_HEADER Hdr;

	/* Task priority services */
	EFI_TPL(EFIAPI *RaiseTPL)(EFI_TPL NewTpl);
	VOID(EFIAPI *RestoreTPL)(EFI_TPL OldTpl);

	/* Memory services */
	EFI_STATUS(EFIAPI *AllocatePages)(EFI_ALLOCATE_TYPE Type, EFI_MEMORY_TYPE MemoryType,
					  UINTN Pages, EFI_PHYSICAL_ADDRESS *Memory);
	EFI_STATUS(EFIAPI *FreePages)(EFI_PHYSICAL_ADDRESS Memory, UINTN Pages);
	EFI_STATUS(EFIAPI *GetMemoryMap)(UINTN *MemoryMapSize, EFI_MEMORY_DESCRIPTOR *MemoryMap,
					 UINTN *MapKey, UINTN *DescriptorSize,
					 UINT32 *DescriptorVersion);
	EFI_STATUS(EFIAPI *AllocatePool)(EFI_MEMORY_TYPE PoolType, UINTN Size, VOID **Buffer);
	EFI_STATUS(EFIAPI *FreePool)(VOID *Buffer);

	/* Event and timer services */
	EFI_STATUS(EFIAPI *CreateEvent)(UINT32 Type, EFI_TPL NotifyTpl, EFI_EVENT_NOTIFY NotifyFunction,
					VOID *NotifyContext, EFI_EVENT *Event);
	EFI_STATUS(EFIAPI *SetTimer)(EFI_EVENT Event, EFI_TIMER_DELAY Type, UINT64 TriggerTime);
	EFI_STATUS(EFIAPI *WaitForEvent)(UINTN NumberOfEvents, EFI_EVENT *Event, UINTN *Index);
	EFI_STATUS(EFIAPI *SignalEvent)(EFI_EVENT Event);
	EFI_STATUS(EFIAPI *CloseEvent)(EFI_EVENT Event);
	EFI_STATUS(EFIAPI *CheckEvent)(EFI_EVENT Event);

	/* Protocol handler services */
	EFI_STATUS(EFIAPI *InstallProtocolInterface)(EFI_HANDLE *Handle, EFI_GUID *Protocol,
						     EFI_INTERFACE_TYPE InterfaceType,
						     VOID *Interface);
	EFI_STATUS(EFIAPI *ReinstallProtocolInterface)(EFI_HANDLE Handle, EFI_GUID *Protocol,
						       VOID *OldInterface, VOID *NewInterface);
	EFI_STATUS(EFIAPI *UninstallProtocolInterface)(EFI_HANDLE Handle, EFI_GUID *Protocol,
						       VOID *Interface);
	EFI_STATUS(EFIAPI *HandleProtocol)(EFI_HANDLE Handle, EFI_GUID *Protocol, VOID **Interface);
	VOID *Reserved;
	EFI_STATUS(EFIAPI *RegisterProtocolNotify)(EFI_GUID *Protocol, EFI_EVENT Event,
						   VOID **Registration);
	EFI_STATUS(EFIAPI *LocateHandle)(EFI_LOCATE_SEARCH_TYPE SearchType, EFI_GUID *Protocol,
					 VOID *SearchKey, UINTN *BufferSize, EFI_HANDLE *Buffer);
	EFI_STATUS(EFIAPI *LocateDevicePath)(EFI_GUID *Protocol,
					     EFI_DEVICE_PATH_PROTOCOL **DevicePath,
					     EFI_HANDLE *Device);
	EFI_STATUS(EFIAPI *InstallConfigurationTable)(EFI_GUID *Guid, VOID *Table);

	/* Image services */
	EFI_STATUS(EFIAPI *LoadImage)(BOOLEAN BootPolicy, EFI_HANDLE ParentImageHandle,
				      EFI_DEVICE_PATH_PROTOCOL *DevicePath, VOID *SourceBuffer,
				      UINTN SourceSize, EFI_HANDLE *ImageHandle);
	EFI_STATUS(EFIAPI *StartImage)(EFI_HANDLE ImageHandle, UINTN *ExitDataSize,
				       CHAR16 **ExitData);
	EFI_STATUS(EFIAPI *Exit)(EFI_HANDLE ImageHandle, EFI_STATUS ExitStatus, UINTN ExitDataSize,
				 CHAR16 *ExitData);
	EFI_STATUS(EFIAPI *UnloadImage)(EFI_HANDLE ImageHandle);
	EFI_STATUS(EFIAPI *ExitBootServices)(EFI_HANDLE ImageHandle, UINTN MapKey);

	/* Miscellaneous services */
	EFI_STATUS(EFIAPI *GetNextMonotonicCount)(UINT64 *Count);
	EFI_STATUS(EFIAPI *Stall)(UINTN Microseconds);
	EFI_STATUS(EFIAPI *SetWatchdogTimer)(UINTN Timeout, UINT64 WatchdogCode, UINTN DataSize,
					     CHAR16 *WatchdogData);

	/* Driver support services (EFI 1.1+) */
	EFI_STATUS(EFIAPI *ConnectController)(EFI_HANDLE ControllerHandle,
					      EFI_HANDLE *DriverImageHandle,
					      EFI_DEVICE_PATH_PROTOCOL *RemainingDevicePath,
					      BOOLEAN Recursive);
	EFI_STATUS(EFIAPI *DisconnectController)(EFI_HANDLE ControllerHandle,
						 EFI_HANDLE DriverImageHandle,
						 EFI_HANDLE ChildHandle);

	/* Open and close protocol services (EFI 1.1+) */
	EFI_STATUS(EFIAPI *OpenProtocol)(EFI_HANDLE Handle, EFI_GUID *Protocol, VOID **Interface,
					 EFI_HANDLE AgentHandle, EFI_HANDLE ControllerHandle,
					 UINT32 Attributes);
	EFI_STATUS(EFIAPI *CloseProtocol)(EFI_HANDLE Handle, EFI_GUID *Protocol,
					  EFI_HANDLE AgentHandle, EFI_HANDLE ControllerHandle);
	EFI_STATUS(EFIAPI *OpenProtocolInformation)(EFI_HANDLE Handle, EFI_GUID *Protocol,
						    EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **EntryBuffer,
						    UINTN *EntryCount);

	/* Library services (EFI 1.1+) */
	EFI_STATUS(EFIAPI *ProtocolsPerHandle)(EFI_HANDLE Handle, EFI_GUID ***ProtocolBuffer,
					       UINTN *ProtocolBufferCount);
	EFI_STATUS(EFIAPI *LocateHandleBuffer)(EFI_LOCATE_SEARCH_TYPE SearchType,
					       EFI_GUID *Protocol, VOID *SearchKey,
					       UINTN *NoHandles, EFI_HANDLE **Buffer);
	EFI_STATUS(EFIAPI *LocateProtocol)(EFI_GUID *Protocol, VOID *Registration,
					   VOID **Interface);
	EFI_STATUS(EFIAPI *InstallMultipleProtocolInterfaces)(EFI_HANDLE *Handle, ...);
	EFI_STATUS(EFIAPI *UninstallMultipleProtocolInterfaces)(EFI_HANDLE Handle, ...);

	/* 32-bit CRC services (EFI 1.1+) */
	EFI_STATUS(EFIAPI *CalculateCrc32)(VOID *Data, UINTN DataSize, UINT32 *Crc32);

	/* Miscellaneous services (EFI 1.1+) */
	VOID(EFIAPI *CopyMem)(VOID *Destination, VOID *Source, UINTN Length);
	VOID(EFIAPI *SetMem)(VOID *Buffer, UINTN Size, UINT8 Value);

	/* UEFI 2.0+ */
	EFI_STATUS(EFIAPI *CreateEventEx)(UINT32 Type, EFI_TPL NotifyTpl,
					  EFI_EVENT_NOTIFY NotifyFunction,
					  const VOID *NotifyContext, const EFI_GUID *EventGroup,
					  EFI_EVENT *Event);
} EFI_BOOT_SERVICES;

/* Section 4.6: configuration table entries. */
typedef struct {
	EFI_GUID VendorGuid;
	VOID *VendorTable;
} EFI_CONFIGURATION_TABLE;

/* Section 4.3: the system table handed to every image. */
struct EFI_SYSTEM_TABLE {
	EFI_TABLE_HEADER Hdr;
	CHAR16 *FirmwareVendor;
	UINT32 FirmwareRevision;
	EFI_HANDLE ConsoleInHandle;
	EFI_SIMPLE_TEXT_INPUT_PROTOCOL *ConIn;
	EFI_HANDLE ConsoleOutHandle;
	EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *ConOut;
	EFI_HANDLE StandardErrorHandle;
	EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *StdErr;
	EFI_RUNTIME_SERVICES *RuntimeServices;
	EFI_BOOT_SERVICES *BootServices;
	UINTN NumberOfTableEntries;
	EFI_CONFIGURATION_TABLE *ConfigurationTable;
};

/*
 * The loader contract: end boot services for the image IMAGE, reaching the
 * firmware only through SYSTAB.  Return EFI_SUCCESS if and only if
 * ExitBootServices() succeeded.
 */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(EFI_TABLE_HEADER) == 24, "EFI_TABLE_HEADER layout");
_Static_assert(sizeof(EFI_MEMORY_DESCRIPTOR) == 40, "EFI_MEMORY_DESCRIPTOR layout");
_Static_assert(offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart) == 8, "descriptor layout");
_Static_assert(offsetof(EFI_MEMORY_DESCRIPTOR, NumberOfPages) == 24, "descriptor layout");
_Static_assert(offsetof(EFI_MEMORY_DESCRIPTOR, Attribute) == 32, "descriptor layout");
_Static_assert(offsetof(EFI_SYSTEM_TABLE, FirmwareRevision) == 32, "system table layout");
_Static_assert(offsetof(EFI_SYSTEM_TABLE, ConOut) == 64, "system table layout");
_Static_assert(offsetof(EFI_SYSTEM_TABLE, RuntimeServices) == 88, "system table layout");
_Static_assert(offsetof(EFI_SYSTEM_TABLE, BootServices) == 96, "system table layout");
_Static_assert(sizeof(EFI_SYSTEM_TABLE) == 120, "system table layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, RaiseTPL) == 24, "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, AllocatePages) == 40, "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, GetMemoryMap) == 56, "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, AllocatePool) == 64, "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, FreePool) == 72, "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, CreateEvent) == 80, "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, InstallConfigurationTable) == 192,
	       "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, ExitBootServices) == 232, "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, Stall) == 248, "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, CalculateCrc32) == 344, "boot services layout");
_Static_assert(offsetof(EFI_BOOT_SERVICES, CreateEventEx) == 368, "boot services layout");
_Static_assert(sizeof(EFI_BOOT_SERVICES) == 376, "boot services layout");
_Static_assert(offsetof(EFI_RUNTIME_SERVICES, ResetSystem) == 104, "runtime services layout");
_Static_assert(sizeof(EFI_RUNTIME_SERVICES) == 136, "runtime services layout");
_Static_assert(offsetof(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL, OutputString) == 8, "ConOut layout");
_Static_assert(offsetof(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL, Mode) == 72, "ConOut layout");
_Static_assert(offsetof(EFI_SIMPLE_TEXT_INPUT_PROTOCOL, WaitForKey) == 16, "ConIn layout");
#endif

#endif /* EBSFUZZ_CORE_EFI_H */
