# SPDX-License-Identifier: MIT
# findings-merge.awk - the findings campaign's rows (scripts/fuzz-campaign):
# what its workers recorded, one row per behaviour.
#
# usage: awk -F '\t' -f scripts/findings-merge.awk blocks=BLOCKS BLOCKS ALL
#   BLOCKS  file, line, body: which function body each line of the loader's
#           files lies in (the campaign writes it; see the rule below)
#   ALL     kind, place, class, first ms, size, reproducer, id, count
# Prints: class rank, class, kind, place, count, first ms, reproducer, id,
# the other lines folded into the row ("N, M", or "from line N" for the
# other callers of a loop's function).
#
# One row per kind and place, of its most severe class; then:
# UBSan's report of a null pointer's use, or of an offset applied to one
# (efilinux's memset() of the NULL a short map walk left), is no row of its
# own where the same line has a SEGV row: the load or store it reports
# faults just after it, and the SEGV row carries the run's class (EDK2's LoadLinuxLib,
# dereferencing the NULL a failed AllocatePool left, was a loader-ub and a
# compliant row at one line).  Nor is a SEGV where the same line has an
# overflow row of a class as severe: a walk past a buffer, reported at its
# first bad read, goes on until it faults there (Unikraft's map walk by a
# size the firmware lied about was three overflow rows and three SEGV rows
# at the same three lines).
# ASan's report of an overflow at a line with a buffer-bounds row of a
# class as severe is that row: the firmware's write past the buffer the
# loader told it was larger, reported by the harness at the loader's call
# and, where the write went through a checked copy, by ASan at the same
# call (U-Boot's EFI stub: the map read into size + 1024 bytes of a block
# of size, two rows at each of its two reads).  Its runs are counted there.
# A status row at a line with a liveness row is that row: a loader that
# returns success without exiting is judged by liveness where a boot was
# owed and by status where none was, one bug (Hyper's port, a capacity
# check returning before the exit, and a loader that never exits: two rows
# at one line).  Its runs are counted in the liveness row.
# A sanitizer's reports of one kind in one function of the
# loader are one row: a walk by a size or stride the firmware lied about
# is reported at every line of it that reads a field (9front's e820 line,
# six rows; the OpenBSD port's misaligned map walk, nine; a DescriptorSize
# 0 loop's hang, one row per line its samples caught, Tilck's six).  The
# row is the first seen of the most severe class, its location naming the
# other lines: the same walk met on firmware outside the rules, reading
# other fields first, is no row of its own (BOOTBOOT's map walk by a bound
# 40 times too far: a compliant row and a noncompliant one at two lines
# the compliant row lacked).  A loop that ran the budget out in a function
# the loader calls from several places is one row, whichever called it
# (HelenOS's efi_get_memory_map(), endless where the firmware leaves the
# size unwritten, was a row for each of its two callers); its location
# names the other callers' lines ("and from line N").  A function
# is told by its body, from a line at the left margin ending in "{" (or
# one that is "{") to the next that starts with "}", the way C is written
# in every loader ported so far; lines outside such a body fold with none.
	BEGIN { rank["compliant"] = 1; rank["noncompliant"] = 2; rank["giving-up"] = 3; rank["loader-ub"] = 4 }
	FILENAME == blocks { body[$1 ":" $2] = $3; next }
	{
		k = $1 "\t" $2; r = rank[$3]
		count[k] += $8
		if (!(k in first) || $4 < first[k]) first[k] = $4
		if (!(k in best) || r < best[k] || (r == best[k] && $5 < size[k])) {
			best[k] = r; cls[k] = $3; size[k] = $5; repro[k] = $6; id[k] = $7
		}
	}
	function overflow_as_severe(place, r,   o, n, kinds) {
		n = split("heap-buffer-overflow global-buffer-overflow stack-buffer-overflow use-after-poison", kinds, " ")
		for (o = 1; o <= n; o++)
			if ((("asan:" kinds[o] "\t" place) in best) && best["asan:" kinds[o] "\t" place] <= r)
				return 1
		return 0
	}
	END {
		for (k in best) {
			split(k, f, "\t")
			if (f[1] != "buffer-bounds") continue
			at = f[2]; sub(/ \(from line [0-9]+\)$/, "", at)
			if (!(at in bounds) || best[k] < best[bounds[at]]) bounds[at] = k
		}
		for (k in best) {
			split(k, f, "\t")
			if (f[1] ~ /^asan:(heap|global|stack)-buffer-overflow$|^asan:use-after-poison$/ &&
			    (f[2] in bounds) && best[bounds[f[2]]] <= best[k]) {
				count[bounds[f[2]]] += count[k]
				continue
			}
			if (f[1] ~ /^ubsan:(null-pointer-use|nullptr-)/ && (("asan:SEGV\t" f[2]) in best))
				continue
			if (f[1] == "status" && (("liveness\t" f[2]) in best)) {
				count["liveness\t" f[2]] += count[k]
				continue
			}
			if (f[1] == "asan:SEGV" && overflow_as_severe(f[2], best[k]))
				continue
			# Of one function: the row is of the most severe class, the
			# first seen of it.
			g = ""
			if (f[1] ~ /^(asan|ubsan|msan):|^hang$/ && (f[2] in body)) {
				g = f[1] "\t" body[f[2]] "\t" f[2]; sub(/:[0-9]+$/, "", g)
			}
			# A loop of calls in a function its callers share: one row.
			if (f[1] == "termination" && f[2] ~ / \(from line [0-9]+\)$/) {
				g = f[2]; sub(/ \(from line [0-9]+\)$/, "", g); g = f[1] "\t" g
			}
			if (g == "") {
				kept[k] = 1
				continue
			}
			if (!(g in lead) || best[k] < best[lead[g]] ||
			    (best[k] == best[lead[g]] && first[k] < first[lead[g]])) lead[g] = k
			member[g] = member[g] "\n" k
		}
		for (g in lead) {
			k = lead[g]; kept[k] = 1
			n = split(substr(member[g], 2), m, "\n")
			for (i = 1; i <= n; i++) {
				if (m[i] == k) continue
				count[k] += count[m[i]]
				split(m[i], mf, "\t"); line = mf[2]; sub(/.*:/, "", line)
				if (mf[1] == "termination") {
					sub(/.*\(from line /, "", line); sub(/\)$/, "", line)
					callers[k] = callers[k] (callers[k] == "" ? "" : ", ") line
					continue
				}
				lines[k] = lines[k] (lines[k] == "" ? "" : " ") line
			}
		}
		for (k in kept) {
			split(k, f, "\t")
			# The other lines, in order, for the location of the row.
			n = split(lines[k], l, " "); also = ""
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (l[j] + 0 < l[i] + 0) { t = l[i]; l[i] = l[j]; l[j] = t }
			for (i = 1; i <= n; i++) also = also (i > 1 ? ", " : "") l[i]
			if (callers[k] != "")
				also = "from line" (callers[k] ~ /,/ ? "s " : " ") callers[k]
			printf "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", best[k], cls[k], k, count[k], first[k], repro[k], id[k], also
		}
	}
