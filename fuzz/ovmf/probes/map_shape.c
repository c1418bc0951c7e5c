/* SPDX-License-Identifier: MIT */
/*
 * map_shape.c - probe: the shape of the map the loader starts from.
 * Prints its descriptor count, how many are MMIO, and the caching
 * attributes used (EFI_MEMORY_RUNTIME left out), so the fake firmware's
 * starting map is compared with the real one's.
 */
#include "probe.h"

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS loader_exit_boot(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	UINT64 attributes = 0, mmio = 0;
	UINTN off, count = 0;

	probe_read(st->BootServices);
	for (off = 0; probe_desc_size != 0 && off + probe_desc_size <= probe_map_size;
	     off += probe_desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(probe_map + off);

		count++;
		mmio += d->Type == EfiMemoryMappedIO || d->Type == EfiMemoryMappedIOPortSpace;
		attributes |= d->Attribute & ~EFI_MEMORY_RUNTIME;
	}
	probe_say(st, "descriptors", (long long)count, 0);
	probe_say(st, "MMIO descriptors", (long long)mmio, 0);
	probe_say(st, "attribute bits", (long long)attributes, 0);
	return probe_exit(image, st);
}
