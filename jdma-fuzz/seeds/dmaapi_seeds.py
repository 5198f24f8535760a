#!/usr/bin/env python3
"""Writes the hand-made regression inputs of DmaApiFuzzTest (field format: FuzzBytes, ops: the test's switch)."""
import os, struct, sys

OFF, STRICT, LAZY, IDENTITY = 0, 1, 2, 3
BIDI, TO_DEV, FROM_DEV, NONE = 0, 1, 2, 3
SKIP_SYNC = 1

def u16(v): return struct.pack('<H', v)
def u64(v): return struct.pack('<Q', v & (2**64 - 1))
def size(n): return bytes([1]) + u16(n // 2)                 # "small" size, in buffer units
def huge(v): return bytes([0]) + u64(v)                      # "any" size
def addr(off): return bytes([1]) + u16(off)                  # inside the test's buffer
def anywhere(v): return bytes([0]) + u64(v)

def header(mode, dma32=False, untrusted=False): return bytes([mode, 1 if dma32 else 0, 0 if untrusted else 1])
def set_mask(bits): return bytes([0, bits])
def alloc_coherent(sz): return bytes([2]) + sz
def free_coherent_live(i=0): return bytes([3, 1, i])
def free_coherent_bogus(sz, phys, dma): return bytes([3, 0]) + sz + phys + u64(dma)
def map_single(a, sz, d, attrs=0, page=False): return bytes([4, 0 if page else 1]) + a + sz + bytes([d, attrs])
def unmap_live(i=0, attrs=0): return bytes([6, 1, i, attrs])
def unmap_bogus(dma, sz, d): return bytes([6, 0]) + u64(dma) + sz + bytes([d, 0])
def map_sg(entries, d, nents=None, attrs=0):
    b = bytes([7, len(entries)]) + b''.join(a + s for a, s in entries)
    b += bytes([1]) if nents is None else bytes([0, nents + 128])
    return b + bytes([d, attrs])
def unmap_sg(i=0): return bytes([8, i, 1, 0])
def sync_live(i=0, cpu=True, sz=size(4096), d=BIDI): return bytes([9, 0, i, 0 if cpu else 1]) + sz + bytes([d])
def sync_sg(i=0, cpu=True, d=BIDI): return bytes([10, i, 0 if cpu else 1, d])
def detach(): return bytes([11, 0])
def attach(): return bytes([11, 1])

seeds = {
    'seed-empty': b'',
    # Strict IOMMU: single, page and scatterlist mappings, a coherent buffer; some unmapped, the
    # rest left for detach to release.
    'seed-strict-map-unmap': header(STRICT)
        + map_single(addr(0x100), size(4096), BIDI) + map_single(addr(0x2000), size(8192), TO_DEV, page=True)
        + map_sg([(addr(0), size(4096)), (addr(0x4000), size(4096)), (addr(0x8000), size(0x300))], FROM_DEV)
        + alloc_coherent(size(0x3000)) + sync_live(0) + sync_sg(0, cpu=False) + unmap_live(0) + sync_live(0, cpu=False),
    # Direct mapping: a 24-bit mask forces bouncing, then nonsense: direction NONE, sizes of 0 and
    # 2^64-1, unmaps and frees of what was never mapped, a negative nents, a mask of 0 bits.
    'seed-direct-nonsense': header(OFF, untrusted=True)
        + set_mask(24) + map_single(addr(0x10), size(4096), TO_DEV) + map_single(addr(0), size(4096), NONE)
        + map_single(addr(0), huge(-1), BIDI) + map_single(anywhere(-4096), size(0), BIDI)
        + unmap_bogus(0xDEAD_0000, size(4096), FROM_DEV) + free_coherent_bogus(size(4096), addr(0), 0x1234)
        + map_sg([(addr(0), size(0x100))], BIDI, nents=-5) + set_mask(0) + sync_live(0) + unmap_live(0),
    # Lazy IOMMU, an untrusted device: maps, detach with them live, attach again, map again,
    # attach twice (IllegalStateException).
    'seed-lazy-detach-reattach': header(LAZY, dma32=True, untrusted=True)
        + map_single(addr(0x123), size(0x1001), BIDI) + alloc_coherent(size(4096))
        + map_sg([(addr(0), size(0x800)), (addr(0x800), size(0x800))], TO_DEV)
        + detach() + attach() + map_single(addr(0), size(4096), FROM_DEV, attrs=SKIP_SYNC) + attach()
        + free_coherent_live(0),
    # Identity domain: coherent buffers freed with the wrong size, scatterlist unmapped twice.
    'seed-identity-misuse': header(IDENTITY)
        + alloc_coherent(size(8192)) + free_coherent_bogus(size(4096), addr(0), 0)
        + map_sg([(addr(0), size(4096))], BIDI) + unmap_sg(0) + unmap_bogus(0, size(4096), BIDI),
    # Strict IOMMU: syncs judged against Linux's check_sync: a right one, one against the
    # mapping's direction, one past its end, a list synced to the device against its direction,
    # and a sync with nothing live (not allocated).
    'seed-strict-sync-misuse': header(STRICT)
        + map_single(addr(0x100), size(4096), TO_DEV) + sync_live(0, cpu=True, d=TO_DEV)
        + sync_live(0, cpu=True, d=FROM_DEV) + sync_live(0, cpu=False, sz=size(8192), d=TO_DEV)
        + map_sg([(addr(0x4000), size(4096)), (addr(0x8000), size(0x200))], FROM_DEV) + sync_sg(0, cpu=False, d=BIDI)
        + sync_sg(0, cpu=True, d=FROM_DEV) + unmap_live(0) + unmap_sg(0) + sync_live(0, cpu=False),
}

out = sys.argv[1]
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
