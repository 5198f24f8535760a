#!/usr/bin/env python3
"""Writes the hand-made regression inputs of IrFuzzTest (one operation: a byte choosing the case of
IrFuzzTest.run's switch, then its fields; FuzzBytes format). Run from jdma-fuzz."""
import os, struct

OUT = 'src/test/resources/org/jdma/fuzz/IrFuzzTestInputs/blockedInterruptsAreFaultRecordedWithAReason'
SIRTP, IRE, IRE_CFI, CFI, NONE = range(5)      # IrFuzzTest.COMMANDS
GCMD, IRTA, FSTS, FECTL, IECTL = range(5)      # IrFuzzTest.REGISTERS
WIDTH_8 = 3
SVT_REQUESTER_ID = 1

def u16(v): return struct.pack('<H', v)
def u64(v): return struct.pack('<Q', v & (2**64 - 1))
def entry(index, port, vector, apic, sq=0, svt=SVT_REQUESTER_ID):
    return bytes([0]) + u16(index) + bytes([0, port, vector, apic, sq, svt])
def raw_entry(index, lo, hi): return bytes([0]) + u16(index) + bytes([1, 0]) + u64(lo) + u64(hi)
def command(c): return bytes([1, c])
def register(r, value, width=WIDTH_8): return bytes([2, r, width]) + u64(value)
def remappable(port, handle, shv=True, data=0): return bytes([3, port, 0]) + u16(handle) + bytes([0 if shv else 1]) + data_field(data)
def compatibility(port, apic, vector): return bytes([3, port, 1, apic]) + data_field(vector)
def data_field(v): return bytes([0, v]) if v < 256 else bytes([1]) + u64(v)
def run(units): return bytes([4]) + u16(units)

seeds = {
    'seed-empty': b'',
    'seed-remapped-delivery': entry(5, 0, 0x41, 0) + remappable(0, 5) + remappable(0, 4, data=1) + run(1000),
    # not present, beyond the table, compatibility format, another device's entry, reserved data bits with SHV
    'seed-blocked-reasons': entry(7, 1, 0x52, 0) + remappable(0, 9) + remappable(0, 300) + compatibility(0, 0, 0x41)
        + remappable(0, 7) + entry(3, 0, 0x41, 0) + remappable(0, 3, data=0x1_0000) + run(1000),
    # CFI lets compatibility format through; IRE off; a garbage IRTA latched; FPD and reserved bits in an entry
    'seed-registers-and-raw-entries': command(IRE_CFI) + compatibility(0, 0, 0x41) + command(NONE) + remappable(0, 5)
        + register(IRTA, 0xFFFF_FFFF_FFFF_F00F) + command(SIRTP) + command(IRE) + remappable(1, 2)
        + register(IRTA, 0x10007) + command(SIRTP) + command(IRE) + raw_entry(6, 0x2 | 1 << 13, 0) + remappable(0, 6)
        + raw_entry(8, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF) + remappable(1, 8) + register(FSTS, 0xFFFF, 2),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
