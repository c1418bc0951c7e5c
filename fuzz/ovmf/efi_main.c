/* SPDX-License-Identifier: MIT */
/*
 * efi_main.c - the UEFI test driver: run a loader that follows the loader
 * contract on the firmware it boots on, with a scenario from the host.
 *
 * The scenario arrives as the very bytes of a fuzz input, in the fw_cfg
 * file opt/ebsfuzz/scenario, and is decoded by fuzz/script.c.  Its handler
 * and timer directives become events on the real firmware (actions.c), its
 * revision directive is what the loader's table claims (shim.c); the rest
 * (quirks, injections, chosen deltas, maps, personalities) are the fake
 * firmware's and are ignored here.  The loader gets the shim's table; after
 * it returns, the record goes out on COM1 and QEMU exits with a status that
 * says whether boot services were exited.
 *
 * Built without SSE (-mgeneral-regs-only, ovmf.mk): U-Boot's 64-bit build
 * leaves SSE off, and an SSE instruction there is a fault it cannot report.
 *
 * Never returns to the firmware: OVMF's boot manager would fall into the
 * shell and wait there for ever (ovmf.md §2, "Choosing the boot entry").
 */
#include "../script.h"
#include "actions.h"
#include "fwcfg.h"
#include "shim.h"
#include "uart.h"

/* The loader contract (core/efi.h); linked in from the loader's file. */
EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

/* Far more than any scenario (512 map entries are 4 KiB). */
#define SCENARIO_MAX_BYTES 65536u

static uint8_t input[SCENARIO_MAX_BYTES];
static struct scenario scn;

static _Noreturn void give_up(const char *why)
{
	uart_puts("\nebsfuzz-driver: error: ", NULL);
	uart_puts(why, NULL);
	uart_puts("\n", NULL);
	uart_quit(UART_EXIT_BROKEN);
}

/* The firmware's name, CHAR16 narrowed to ASCII for the log. */
static void put_vendor(const CHAR16 *vendor)
{
	char c[2] = { 0, 0 };
	unsigned i;

	for (i = 0; vendor != NULL && vendor[i] != 0 && i < 64; i++) {
		c[0] = vendor[i] >= 0x20 && vendor[i] < 0x7f ? (char)vendor[i] : '?';
		uart_puts(c, NULL);
	}
}

/* Whether the firmware is U-Boot ("Das U-Boot", efi_root_node.c): events
 * and timers need its own handling there (actions.c). */
static bool is_uboot(const CHAR16 *vendor)
{
	static const char name[] = "Das U-Boot";
	unsigned i;

	for (i = 0; vendor != NULL && name[i] != 0; i++)
		if (vendor[i] != (CHAR16)name[i])
			return false;
	return vendor != NULL;
}

/*
 * With the fw_cfg file opt/ebsfuzz/dump-map present, print the map the
 * loader will start from (the driver's events exist by then), one
 * "ebsfuzz-driver: map TYPE START PAGES ATTRIBUTE" line per descriptor:
 * how the starting maps of the fake firmware were taken.
 */
static void dump_map(EFI_BOOT_SERVICES *bs)
{
	static UINT8 buf[32768] __attribute__((aligned(8)));
	UINTN size = sizeof(buf), key, desc_size, off;
	UINT32 version;
	char digits[24];
	uint8_t flag;

	if (fwcfg_read_file("opt/ebsfuzz/dump-map", &flag, 1) < 0)
		return;
	if (bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)buf, &key, &desc_size, &version) !=
	    EFI_SUCCESS || desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		give_up("cannot read the map to dump it");
	for (off = 0; off + desc_size <= size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(buf + off);

		uart_puts("ebsfuzz-driver: map ", NULL);
		uart_puts(seq_format_uint(d->Type, 10, digits), NULL);
		uart_puts(" ", NULL);
		uart_puts(seq_format_uint(d->PhysicalStart, 16, digits), NULL);
		uart_puts(" ", NULL);
		uart_puts(seq_format_uint(d->NumberOfPages, 10, digits), NULL);
		uart_puts(" ", NULL);
		uart_puts(seq_format_uint(d->Attribute, 16, digits), NULL);
		uart_puts("\n", NULL);
	}
}

/* Send the record and leave QEMU with the status of the exit. */
static _Noreturn void report(void)
{
	const struct seq_record *rec = shim_record();

	seq_print(rec, uart_puts, NULL);
	actions_report(uart_puts, NULL);
	uart_quit(rec->exited ? UART_EXIT_EXITED : UART_EXIT_NOT_EXITED);
}

/* The loader called ResetSystem(): it did not return ("returned never"). */
static void on_reset(void)
{
	report();
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static const struct shim_config config = { actions_before_call, on_reset, false };
	EFI_SYSTEM_TABLE *observed;
	struct seq_record *rec;
	EFI_STATUS status;
	char digits[24];
	long size;

	uart_puts("\nebsfuzz-driver: firmware ", NULL);
	put_vendor(systab->FirmwareVendor);
	uart_puts(" revision ", NULL);
	uart_puts(seq_format_uint(systab->FirmwareRevision, 16, digits), NULL);
	uart_puts(", system table revision ", NULL);
	uart_puts(seq_format_uint(systab->Hdr.Revision, 16, digits), NULL);
	uart_puts("\n", NULL);
	size = fwcfg_read_file("opt/ebsfuzz/scenario", input, sizeof(input));
	if (size < 0)
		give_up("no fw_cfg file opt/ebsfuzz/scenario");
	if ((unsigned long)size > sizeof(input))
		give_up("scenario larger than 64 KiB");
	scn_decode(input, (size_t)size, &scn);
	if (actions_setup(systab->BootServices, &scn, is_uboot(systab->FirmwareVendor)) !=
	    EFI_SUCCESS)
		give_up("the firmware refused to create the scenario's events");
	dump_map(systab->BootServices);
	observed = shim_install(systab, &config);
	if (scn.set & SET_REVISION)
		shim_set_revision(scn_revision_values[scn.revision]);

	status = loader_exit_boot(image, observed);

	/* From here on boot services may be gone: COM1 and port 0xf4 only. */
	rec = shim_record();
	rec->returned = true;
	rec->status = status;
	report();
}
