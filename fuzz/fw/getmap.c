/* SPDX-License-Identifier: MIT */
/*
 * getmap.c - GetMemoryMap() (UEFI 2.10 section 7.2.3), as EDK2's
 * CoreGetMemoryMap and U-Boot's efi_get_memory_map answer it, quirks and
 * lies included.  Every call goes past the oracle: the buffer's claimed
 * capacity, the size the firmware demands (for liveness), and the map the
 * loader now holds (for stale-key and stale-map).
 */
#include <string.h>

#include "../sanitizers.h"
#include "internal.h"

/* The bytes of [@from, @from + @size) from @bad on, @bad inside it.  By
 * address, not by pointer arithmetic: the loader's pointer may be wild (a
 * stale value where an allocation failed), and near the top of the address
 * space @from + @size wraps, which UBSan reported as the firmware's own
 * pointer-overflow, ending the harness in its name. */
static size_t bytes_from(const uint8_t *bad, const uint8_t *from, size_t size)
{
	return size - (size_t)((uintptr_t)bad - (uintptr_t)from);
}

/* Write the descriptors, whatever of each stride lies beyond the 40-byte
 * structure zero: EDK2 zeroes the buffer before filling it, and so do we,
 * in one call rather than one per descriptor.
 *
 * ASan checks the range once, not once per store (fw_first_bad_byte()),
 * and then the padding is zeroed and the descriptors go in unchecked
 * (with a check per store the render was 4.6% of a fuzzing run, 1.4%
 * without; perf, same seed and run count).
 * A range with a bad byte (a buffer smaller than the loader claimed) is
 * reported at the loader's call and, if the run goes on, written
 * unchecked (loader_access.c); without the harness's hook, descriptor by
 * descriptor through checked copies, so that ASan reports the firmware's
 * first bad write, with the loader's call in its stack.  A stride that is
 * not a multiple of 8 (non-compliant firmware) would misalign the
 * structure: copied byte-wise too. */
static void render_map(uint8_t *out)
{
	size_t stride = fw.desc_size, bytes = (size_t)fw.n_regions * stride;
	size_t copy = stride < sizeof(EFI_MEMORY_DESCRIPTOR) ? stride : sizeof(EFI_MEMORY_DESCRIPTOR);
	bool aligned = stride % 8 == 0 && (uintptr_t)out % 8 == 0 && copy == sizeof(EFI_MEMORY_DESCRIPTOR);
	/* At most FW_MAX_REGIONS strides of at most 2048 bytes (script.c). */
	uint8_t *bad = fw_first_bad_byte(out, bytes);
	EFI_MEMORY_DESCRIPTOR d;
	unsigned i;

	if (bad != NULL && fw_loader_range_reported(bad, bytes_from(bad, out, bytes), true)) {
		fw_arena_wrote(out, bytes);
		if (stride > copy)
			fw_fill_unchecked(out, 0, bytes);
		for (i = 0; i < fw.n_regions; i++, out += stride) {
			fw_map_render(i, &d);
			fw_copy_unchecked(out, &d, copy);
		}
		return;
	}
	/* A good range needs no second check: zeroed skipping what is zero
	 * already (a block just handed out, arena_written.c); then only the
	 * descriptors are named as written, the padding left zero. */
	if (stride > copy && bad == NULL) {
		fw_arena_zero(out, bytes);
		fw_arena_wrote_each(out, fw.n_regions, stride, copy);
	} else {
		if (stride > copy)
			memset(out, 0, bytes);
		fw_arena_wrote(out, bytes);
	}
	if (aligned && bad == NULL) {
		fw_map_render_unchecked(out, stride);
		return;
	}
	for (i = 0; i < fw.n_regions; i++, out += stride) {
		fw_map_render(i, &d);
		if (bad == NULL)
			fw_copy_unchecked(out, &d, copy); /* the range is good */
		else
			memcpy(out, &d, copy);
	}
}

/* The MemoryMapSize an answer reports: @truth, unless the scenario makes
 * the firmware lie about it (@target CORRUPT_SIZE or CORRUPT_NEEDED). */
static size_t reported_size(enum scn_corrupt_target target, size_t truth)
{
	const struct scenario *scn = fw.scn;
	unsigned i;

	for (i = 0; i < scn->n_corruptions; i++)
		if (scn->corruptions[i].target == target)
			truth = (size_t)scn->corruptions[i].value;
	return truth;
}

/* A real firmware that reports more than it wrote leaves the rest of the
 * buffer as it was: stale memory.  Ours writes a fixed byte there, as far as
 * the caller's capacity (which the firmware may fill, UEFI 2.10 section
 * 7.2.3), so that what a loader reads does not depend on the heap left by
 * earlier runs in the same process (AFL++ saw 85% stability from it) and is
 * initialised for MSan.  0xAF is EDK2's PcdDebugClearMemoryValue. */
#define FW_STALE_BYTE 0xafu

static void fill_unwritten(uint8_t *map, size_t written, size_t reported, size_t capacity)
{
	const struct fw_alloc *a = fw_alloc_containing(map, true);
	size_t end = reported < capacity ? reported : capacity;
	uint8_t *bad, *from;

	/* Past the allocation the loader claimed room it does not have
	 * (buffer-bounds, already recorded): the stale bytes are ours, not the
	 * firmware's, and must not overrun the block on the loader's behalf. */
	if (a != NULL && end > a->bytes - (size_t)(map - a->host))
		end = a->bytes - (size_t)(map - a->host);
	/* Nor past what any map could take, in a buffer that is not a block
	 * (a loader's static heap) of a capacity it claims, a size the
	 * firmware lies about: ASan's check of terabytes, page by page, held
	 * the GRUB port's runs for seconds.  Beyond, the bytes are as the
	 * loader left them, as on a real firmware. */
	if (end <= written)
		return;
	if (end - written > FW_MAX_SANE_MAP_BYTES)
		end = written + FW_MAX_SANE_MAP_BYTES;
	from = (uint8_t *)((uintptr_t)map + written); /* as bytes_from() says */
	fw_arena_wrote(from, end - written);
	bad = fw_first_bad_byte(from, end - written);
	if (bad != NULL && fw_loader_range_reported(bad, bytes_from(bad, from, end - written), true))
		fw_fill_unchecked(from, FW_STALE_BYTE, end - written);
	else
		memset(from, FW_STALE_BYTE, end - written);
}

/*
 * UEFI 2.10 section 7.2.3, as EDK2's CoreGetMemoryMap (Page.c) and U-Boot's
 * efi_get_memory_map (efi_memory.c) implement it; exit-boot.md 2.3 and 2.6.
 */
static EFI_STATUS get_memory_map(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
				 UINTN *desc_size, UINT32 *desc_version)
{
	size_t required = (size_t)fw_map_required_descs() * fw.desc_size;
	size_t written = (size_t)fw.n_regions * fw.desc_size, reported;
	UINTN asked;
	bool too_small;

	if (size == NULL)
		return EFI_INVALID_PARAMETER;
	if (required > FW_MAX_SANE_MAP_BYTES)
		fw_not_compliant(true, "the firmware asks for an absurd amount of room for its map");
	asked = fw_arg_get_uintn(size, "GetMemoryMap()'s MemoryMapSize");
	if (map != NULL)
		oracle_check_map_buffer(map, asked);
	oracle_note_size_query();
	too_small = asked < required;
	/* Both write DescriptorSize and Version before the size check. */
	if (!(too_small && fw_quirk(QUIRK_DSIZE_UNWRITTEN_ON_TOO_SMALL))) {
		if (desc_size != NULL)
			fw_arg_put_uintn(desc_size, fw.desc_size, "GetMemoryMap()'s DescriptorSize");
		if (desc_version != NULL)
			fw_arg_put_u32(desc_version, fw.desc_version,
				       "GetMemoryMap()'s DescriptorVersion");
	}
	/* EDK2 writes the key on every path; U-Boot only on success. */
	if (key != NULL && !(too_small && fw_quirk(QUIRK_KEY_UNWRITTEN_ON_TOO_SMALL)) &&
	    !fw_uboot_key_on_success_only(map))
		fw_arg_put_uintn(key, (UINTN)fw.key, "GetMemoryMap()'s MapKey");
	if (too_small) {
		if (!fw_quirk(QUIRK_SIZE_UNWRITTEN_ON_TOO_SMALL))
			fw_arg_put_uintn(size, reported_size(CORRUPT_NEEDED, required),
					 "GetMemoryMap()'s MemoryMapSize");
		return EFI_BUFFER_TOO_SMALL;
	}
	if (map == NULL)
		return fw_uboot_null_buffer(size, required);
	render_map((uint8_t *)map);
	reported = reported_size(CORRUPT_SIZE, written);
	fw_arg_put_uintn(size, reported, "GetMemoryMap()'s MemoryMapSize");
	fill_unwritten((uint8_t *)map, written, reported, asked);
	/* The loader holds what was both written and reported: past a size
	 * reported short, its buffer is its own again (an end tag there is no
	 * overwrite); past what was written, nothing of the map lies. */
	oracle_note_map_read(map, reported < written ? reported : written, reported);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI fw_GetMemoryMap(UINTN *size, EFI_MEMORY_DESCRIPTOR *map, UINTN *key,
					 UINTN *desc_size, UINT32 *desc_version)
{
	EFI_STATUS status = FW_ENTER(SVC_GetMemoryMap);
	bool injected = status != EFI_SUCCESS;
	UINTN asked = size != NULL ? fw_arg_get_uintn(size, "GetMemoryMap()'s MemoryMapSize") : 0;
	UINTN answered;

	/* Before the call, which may not return (a write past the buffer). */
	if (size != NULL && asked == (UINTN)FW_STACK_PAINT_UINTN)
		FW_TRACE("# call %u: GetMemoryMap's MemoryMapSize is 0xbebebebebebebebe, what the "
			 "stack held before the loader ran (fuzz/fw/run.c): a size it never set\n",
			 fw.calls);
	if (status == EFI_SUCCESS)
		status = get_memory_map(size, map, key, desc_size, desc_version);
	fw.last_getmap_call = fw.calls;
	fw.last_getmap_status = status;
	/* Counted as map_reads is (invariants.c), for timers after-query. */
	if (status == EFI_BUFFER_TOO_SMALL)
		fw.size_answers++;
	if (fw.dance_call == fw.calls && fw.dance_caller == fw.caller)
		fw.dance_size_query = map == NULL || asked == 0;
	/* An injected failure writes nothing: the trace says so, rather than
	 * the key and DescriptorSize the loader was not given (memtest86+'s
	 * port divided by the 0 it still held, where the trace said 48). */
	if (injected) {
		FW_TRACE("# call %u: GetMemoryMap(%zu, %s) -> %s, injected: nothing written\n",
			 fw.calls, (size_t)asked, map ? "buffer" : "NULL", fw_status_name(status));
		return fw_leave(SVC_GetMemoryMap, status);
	}
	/* Read byte-wise: the argument was judged above, tracing or not. */
	if (size != NULL)
		memcpy(&answered, size, sizeof(answered));
	FW_TRACE("# call %u: GetMemoryMap(%zu, %s) -> %s, size %zu, key 0x%llx, descriptor size %u\n",
		 fw.calls, (size_t)asked, map ? "buffer" : "NULL", fw_status_name(status),
		 size != NULL ? (size_t)answered : 0, (unsigned long long)fw.key, fw.desc_size);
	return fw_leave(SVC_GetMemoryMap, status);
}
