/* SPDX-License-Identifier: MIT */
/*
 * ebs.c - the exit-boot sequence of the hardened loader.
 *
 * Before the first ExitBootServices() call it may allocate, free and retry
 * as it likes, and it frees everything it allocated on every error path.
 * After that call it makes no call but GetMemoryMap() and
 * ExitBootServices(), plus AllocatePool() only where the firmware reports
 * UEFI 2.9 or later; it never frees and never prints (UEFI 2.10 section
 * 7.4.6: "Firmware implementation may choose to do a partial shutdown of the
 * boot services during the first call").
 */
#include "ebs.h"

/**
 * ebs_default_policy() - the policy of the hardened loader.
 * @policy: filled in.
 */
void ebs_default_policy(struct ebs_policy *policy)
{
	policy->slack_descs = EBS_DEFAULT_SLACK_DESCS;
	policy->max_exit_retries = EBS_DEFAULT_MAX_RETRIES;
	policy->sizing_rounds = EBS_DEFAULT_SIZING_ROUNDS;
	policy->buffer_type = EfiLoaderData;
	policy->scratch_per_desc = 0;
}

/**
 * map_allocate() - allocate a map buffer with headroom and scratch space.
 * @bs: boot services.
 * @policy: headroom, memory type and scratch space per descriptor.
 * @map: receives the buffer; its previous buffer is not freed here.
 * @required: bytes the firmware asked for.
 * @unit: DescriptorSize to count the headroom in.
 *
 * Scratch space is sized for as many descriptors as the buffer could ever
 * hold (capacity / sizeof(EFI_MEMORY_DESCRIPTOR), the smallest stride
 * mmap_read() accepts), so the callback cannot run out of it.
 *
 * Return:
 * * EFI_SUCCESS - @map->buf, @map->capacity and @map->scratch are set.
 * * EFI_BAD_BUFFER_SIZE - the size overflows or exceeds MMAP_MAX_MAP_BYTES.
 * * any other status AllocatePool() returned.
 */
static EFI_STATUS map_allocate(EFI_BOOT_SERVICES *bs, const struct ebs_policy *policy,
			       struct mmap *map, UINTN required, UINTN unit)
{
	UINTN headroom, capacity, map_bytes, scratch, total;
	EFI_STATUS status;
	VOID *buf;

	if (__builtin_mul_overflow(policy->slack_descs, unit, &headroom) ||
	    __builtin_add_overflow(required, headroom, &capacity) ||
	    capacity > MMAP_MAX_MAP_BYTES)
		return EFI_BAD_BUFFER_SIZE;
	map_bytes = (capacity + 7) & ~(UINTN)7; /* capacity is small: cannot wrap */
	if (__builtin_mul_overflow(capacity / sizeof(EFI_MEMORY_DESCRIPTOR),
				   policy->scratch_per_desc, &scratch) ||
	    __builtin_add_overflow(map_bytes, scratch, &total))
		return EFI_BAD_BUFFER_SIZE;
	status = bs->AllocatePool(policy->buffer_type, total, &buf);
	if (status != EFI_SUCCESS)
		return status;
	map->buf = buf;
	map->capacity = capacity;
	map->scratch = (UINT8 *)buf + map_bytes;
	map->scratch_size = scratch;
	return EFI_SUCCESS;
}

/**
 * map_free() - free the map buffer; only ever called before the first exit.
 * @bs: boot services.
 * @map: its buffer is freed and forgotten.
 */
static void map_free(EFI_BOOT_SERVICES *bs, struct mmap *map)
{
	bs->FreePool(map->buf);
	map->buf = NULL;
	map->capacity = 0;
	map->scratch = NULL;
	map->scratch_size = 0;
}

/**
 * unknown_desc_size_bound() - a DescriptorSize at least as large as the real
 * one, for firmware that did not say (U-Boot before 2020, exit-boot.md F12).
 * @required: the size the firmware asked for: a whole number of descriptors,
 *	so no descriptor is larger.
 *
 * Guessing sizeof(EFI_MEMORY_DESCRIPTOR) instead would leave too few
 * descriptors of headroom whenever the real stride is larger (Linux 3.11,
 * L11).  Over-allocating here costs at most MMAP_MAX_DESC_SIZE * slack bytes.
 *
 * Return: @required clamped to [sizeof(EFI_MEMORY_DESCRIPTOR), MMAP_MAX_DESC_SIZE].
 */
static UINTN unknown_desc_size_bound(UINTN required)
{
	if (required < sizeof(EFI_MEMORY_DESCRIPTOR))
		return sizeof(EFI_MEMORY_DESCRIPTOR);
	return required < MMAP_MAX_DESC_SIZE ? required : MMAP_MAX_DESC_SIZE;
}

/**
 * map_acquire() - allocate a buffer with headroom and read the map into it.
 * @bs: boot services.
 * @policy: the headroom and the bound on sizing rounds.
 * @map: receives the buffer and the map.
 *
 * Each round probes the size, allocates the largest size seen so far plus
 * headroom counted in DescriptorSize units (or in an upper bound of it when
 * the probe withheld it), and reads.  A round fails when the map outgrew the
 * headroom meanwhile (timer events, fragmentation: FreeBSD saw
 * BUFFER_TOO_SMALL twice in a row on a MinnowBoard, exit-boot.md F24).
 * Sizes always come from BUFFER_TOO_SMALL answers, never from a successful
 * read's size, which EDK2 reports after merging and which is smaller than
 * what its size check demands (esx-boot's endless loop, L13).
 *
 * Return:
 * * EFI_SUCCESS - @map holds the map, with the promised headroom.
 * * EFI_BUFFER_TOO_SMALL - the map kept outgrowing the buffer.
 * * any error of mmap_probe(), map_allocate() or mmap_read(); the buffer
 *   is freed in every failing case.
 */
static EFI_STATUS map_acquire(EFI_BOOT_SERVICES *bs, const struct ebs_policy *policy,
			      struct mmap *map)
{
	UINTN largest = 0, unit = sizeof(EFI_MEMORY_DESCRIPTOR);
	UINTN required, desc_size, round;
	EFI_STATUS status;

	for (round = 0; round < policy->sizing_rounds; round++) {
		status = mmap_probe(bs, &required, &desc_size);
		if (status != EFI_SUCCESS)
			return status;
		if (required > largest)
			largest = required;
		if (desc_size == 0)
			desc_size = unknown_desc_size_bound(required);
		if (desc_size > unit) /* the largest stride any answer showed */
			unit = desc_size;
		status = map_allocate(bs, policy, map, largest, unit);
		if (status != EFI_SUCCESS)
			return status;
		status = mmap_read(bs, map, &required);
		if (status == EFI_SUCCESS)
			return EFI_SUCCESS;
		map_free(bs, map);
		if (status != EFI_BUFFER_TOO_SMALL)
			return status;
		largest = required;
	}
	return EFI_BUFFER_TOO_SMALL;
}

/**
 * map_reread() - read the map again after a failed ExitBootServices().
 * @bs: boot services.
 * @systab: the system table, for the revision the firmware claims.
 * @policy: headroom for a bigger buffer.
 * @map: read into its existing buffer at full capacity.
 *
 * Up to UEFI 2.8 only GetMemoryMap() and ExitBootServices() may follow a
 * failed exit, so the buffer we own is all we have.  UEFI 2.9 added "Memory
 * Allocation Services" to that list; only then, and only when the map no
 * longer fits, is a bigger buffer allocated.  The old one is kept: freeing
 * it gains nothing at this point.
 *
 * Return:
 * * EFI_SUCCESS - @map holds the current map.
 * * EFI_BUFFER_TOO_SMALL - it does not fit and growing is not allowed or
 *   did not help.
 * * any other error of mmap_read() or map_allocate().
 */
static EFI_STATUS map_reread(EFI_BOOT_SERVICES *bs, const EFI_SYSTEM_TABLE *systab,
			     const struct ebs_policy *policy, struct mmap *map)
{
	UINTN required;
	EFI_STATUS status;

	status = mmap_read(bs, map, &required);
	if (status != EFI_BUFFER_TOO_SMALL ||
	    systab->Hdr.Revision < EFI_2_90_SYSTEM_TABLE_REVISION)
		return status;
	status = map_allocate(bs, policy, map, required, map->desc_size);
	if (status != EFI_SUCCESS)
		return status;
	return mmap_read(bs, map, &required);
}

/**
 * ebs_exit_boot_services() - read the map and exit boot services.
 * @image: the loader's image handle.
 * @systab: the system table.
 * @policy: headroom and bounds, see struct ebs_policy.
 * @process: the map-processing callback, run after every read.
 * @ctx: passed to @process.
 * @map: out; on success the final map, owned by the caller from now on.
 *
 * Retries only after EFI_INVALID_PARAMETER, the status for a stale MapKey
 * (UEFI 2.10 section 7.4.6); any other failure will not go away by asking
 * again (EDK2 fails persistently on misaligned runtime regions, F20).
 *
 * Return:
 * * EFI_SUCCESS - boot services are gone; @map is the map they left.
 * * EFI_INVALID_PARAMETER - ExitBootServices() still refused the key after
 *   the allowed retries.
 * * any error of the sizing, the callback, GetMemoryMap() or
 *   ExitBootServices().  If no exit was attempted yet, nothing is left
 *   allocated; otherwise the buffer is left to the OS.
 */
EFI_STATUS ebs_exit_boot_services(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab,
				  const struct ebs_policy *policy, ebs_map_fn process, VOID *ctx,
				  struct mmap *map)
{
	EFI_BOOT_SERVICES *bs;
	EFI_STATUS status;
	UINTN retry;

	*map = (struct mmap){ 0 };
	bs = systab->BootServices;
	status = map_acquire(bs, policy, map);
	if (status != EFI_SUCCESS)
		return status;
	status = process(map, ctx);
	if (status != EFI_SUCCESS) {
		map_free(bs, map);
		return status;
	}
	for (retry = 0;; retry++) {
		status = bs->ExitBootServices(image, map->key);
		if (status == EFI_SUCCESS)
			return EFI_SUCCESS;
		/* From here on: no free, no console, no other service. */
		if (status != EFI_INVALID_PARAMETER || retry >= policy->max_exit_retries)
			return status;
		status = map_reread(bs, systab, policy, map);
		if (status != EFI_SUCCESS)
			return status; /* the buffer stays allocated: freeing is not allowed */
		status = process(map, ctx);
		if (status != EFI_SUCCESS)
			return status; /* likewise */
	}
}
