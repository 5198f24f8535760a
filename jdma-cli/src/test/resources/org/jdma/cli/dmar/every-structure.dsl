/*
 * jdma dmar: a DMAR table checked by jdma's DMAR parser, printed the way
 * ACPICA's disassembler (iasl -d, version 20200925) prints it; SATC and SIDP,
 * which that version does not know, as newer ACPICA prints them
 * 
 * Source: every-structure.dat
 *
 * ACPI Data Table [DMAR]
 *
 * Format: [HexOffset DecimalOffset ByteLength]  FieldName : FieldValue
 */

[000h 0000   4]                    Signature : "DMAR"    [DMA Remapping table]
[004h 0004   4]                 Table Length : 0000011B
[008h 0008   1]                     Revision : 01
[009h 0009   1]                     Checksum : 58
[00Ah 0010   6]                       Oem ID : "JDMA  "
[010h 0016   8]                 Oem Table ID : "JDMAMACH"
[018h 0024   4]                 Oem Revision : 00000007
[01Ch 0028   4]              Asl Compiler ID : "JDMA"
[020h 0032   4]        Asl Compiler Revision : 20260101

[024h 0036   1]           Host Address Width : 26
[025h 0037   1]                        Flags : 05
[026h 0038  10]                     Reserved : 00 00 00 00 00 00 00 00 00 00

[030h 0048   2]                Subtable Type : 0000 [Hardware Unit Definition]
[032h 0050   2]                       Length : 003A

[034h 0052   1]                        Flags : 00
[035h 0053   1]                     Reserved : 00
[036h 0054   2]           PCI Segment Number : 0000
[038h 0056   8]        Register Base Address : 00000000FED90000

[040h 0064   1]            Device Scope Type : 01 [PCI Endpoint Device]
[041h 0065   1]                 Entry Length : 08
[042h 0066   2]                     Reserved : 0000
[044h 0068   1]               Enumeration ID : 00
[045h 0069   1]               PCI Bus Number : 00

[046h 0070   2]                     PCI Path : 02,00


[048h 0072   1]            Device Scope Type : 02 [PCI Bridge Device]
[049h 0073   1]                 Entry Length : 0A
[04Ah 0074   2]                     Reserved : 0000
[04Ch 0076   1]               Enumeration ID : 00
[04Dh 0077   1]               PCI Bus Number : 00

[04Eh 0078   2]                     PCI Path : 1C,00

[050h 0080   2]                     PCI Path : 00,01


[052h 0082   1]            Device Scope Type : 03 [IOAPIC Device]
[053h 0083   1]                 Entry Length : 08
[054h 0084   2]                     Reserved : 0000
[056h 0086   1]               Enumeration ID : 08
[057h 0087   1]               PCI Bus Number : F0

[058h 0088   2]                     PCI Path : 1F,00


[05Ah 0090   1]            Device Scope Type : 04 [Message-capable HPET Device]
[05Bh 0091   1]                 Entry Length : 08
[05Ch 0092   2]                     Reserved : 0000
[05Eh 0094   1]               Enumeration ID : 00
[05Fh 0095   1]               PCI Bus Number : F0

[060h 0096   2]                     PCI Path : 1F,07


[062h 0098   1]            Device Scope Type : 05 [Namespace Device]
[063h 0099   1]                 Entry Length : 08
[064h 0100   2]                     Reserved : 0000
[066h 0102   1]               Enumeration ID : 01
[067h 0103   1]               PCI Bus Number : 00

[068h 0104   2]                     PCI Path : 15,01


[06Ah 0106   2]                Subtable Type : 0000 [Hardware Unit Definition]
[06Ch 0108   2]                       Length : 0010

[06Eh 0110   1]                        Flags : 01
[06Fh 0111   1]                     Reserved : 00
[070h 0112   2]           PCI Segment Number : 0001
[072h 0114   8]        Register Base Address : 00000000FED91000

[07Ah 0122   2]                Subtable Type : 0001 [Reserved Memory Region]
[07Ch 0124   2]                       Length : 002C

[07Eh 0126   2]                     Reserved : 0000
[080h 0128   2]           PCI Segment Number : 0000
[082h 0130   8]                 Base Address : 000000007A000000
[08Ah 0138   8]          End Address (limit) : 000000007A3FFFFF

[092h 0146   1]            Device Scope Type : 01 [PCI Endpoint Device]
[093h 0147   1]                 Entry Length : 08
[094h 0148   2]                     Reserved : 0000
[096h 0150   1]               Enumeration ID : 00
[097h 0151   1]               PCI Bus Number : 00

[098h 0152   2]                     PCI Path : 14,00


[09Ah 0154   1]            Device Scope Type : 01 [PCI Endpoint Device]
[09Bh 0155   1]                 Entry Length : 0C
[09Ch 0156   2]                     Reserved : 0000
[09Eh 0158   1]               Enumeration ID : 00
[09Fh 0159   1]               PCI Bus Number : 03

[0A0h 0160   2]                     PCI Path : 01,00

[0A2h 0162   2]                     PCI Path : 02,03

[0A4h 0164   2]                     PCI Path : 04,05


[0A6h 0166   2]                Subtable Type : 0002 [Root Port ATS Capability]
[0A8h 0168   2]                       Length : 0010

[0AAh 0170   1]                        Flags : 01
[0ABh 0171   1]                     Reserved : 00
[0ACh 0172   2]           PCI Segment Number : 0000

[0AEh 0174   1]            Device Scope Type : 02 [PCI Bridge Device]
[0AFh 0175   1]                 Entry Length : 08
[0B0h 0176   2]                     Reserved : 0000
[0B2h 0178   1]               Enumeration ID : 00
[0B3h 0179   1]               PCI Bus Number : 00

[0B4h 0180   2]                     PCI Path : 03,00


[0B6h 0182   2]                Subtable Type : 0003 [Remapping Hardware Static Affinity]
[0B8h 0184   2]                       Length : 0014

[0BAh 0186   4]                     Reserved : 00000000
[0BEh 0190   8]                 Base Address : 00000000FED90000
[0C6h 0198   4]             Proximity Domain : 00000001

[0CAh 0202   2]                Subtable Type : 0004 [ACPI Namespace Device Declaration]
[0CCh 0204   2]                       Length : 0019

[0CEh 0206   3]                     Reserved : 000000
[0D1h 0209   1]                Device Number : 01
[0D2h 0210  15]                  Device Name : "\_SB.PCI0.I2C0"

[0E3h 0227   2]                Subtable Type : 0005 [SoC Integrated Address Translation Cache]
[0E5h 0229   2]                       Length : 0018

[0E7h 0231   1]                        Flags : 01
[0E8h 0232   1]                     Reserved : 00
[0E9h 0233   2]           PCI Segment Number : 0000

[0EBh 0235   1]            Device Scope Type : 01 [PCI Endpoint Device]
[0ECh 0236   1]                 Entry Length : 08
[0EDh 0237   2]                     Reserved : 0000
[0EFh 0239   1]               Enumeration ID : 00
[0F0h 0240   1]               PCI Bus Number : 00

[0F1h 0241   2]                     PCI Path : 02,00


[0F3h 0243   1]            Device Scope Type : 01 [PCI Endpoint Device]
[0F4h 0244   1]                 Entry Length : 08
[0F5h 0245   2]                     Reserved : 0000
[0F7h 0247   1]               Enumeration ID : 00
[0F8h 0248   1]               PCI Bus Number : 00

[0F9h 0249   2]                     PCI Path : 0B,00


[0FBh 0251   2]                Subtable Type : 0006 [SoC Integrated Device Property]
[0FDh 0253   2]                       Length : 001A

[0FFh 0255   2]                     Reserved : 0000
[101h 0257   2]           PCI Segment Number : 0000

[103h 0259   1]            Device Scope Type : 01 [PCI Endpoint Device]
[104h 0260   1]                 Entry Length : 08
[105h 0261   2]                     Reserved : 001F
[107h 0263   1]               Enumeration ID : 00
[108h 0264   1]               PCI Bus Number : 00

[109h 0265   2]                     PCI Path : 02,00


[10Bh 0267   1]            Device Scope Type : 01 [PCI Endpoint Device]
[10Ch 0268   1]                 Entry Length : 0A
[10Dh 0269   2]                     Reserved : 001C
[10Fh 0271   1]               Enumeration ID : 00
[110h 0272   1]               PCI Bus Number : 00

[111h 0273   2]                     PCI Path : 0B,00

[113h 0275   2]                     PCI Path : 00,02


[115h 0277   2]                Subtable Type : 0007 [Unknown Subtable Type]
[117h 0279   2]                       Length : 0006

**** Unknown DMAR subtable type 0x7: its bytes follow
[119h 0281   2]                     Raw Data : AA BB

Raw Table Data: Length 283 (0x11B)

    0000: 44 4D 41 52 1B 01 00 00 01 58 4A 44 4D 41 20 20  // DMAR.....XJDMA  
    0010: 4A 44 4D 41 4D 41 43 48 07 00 00 00 4A 44 4D 41  // JDMAMACH....JDMA
    0020: 01 01 26 20 26 05 00 00 00 00 00 00 00 00 00 00  // ..& &...........
    0030: 00 00 3A 00 00 00 00 00 00 00 D9 FE 00 00 00 00  // ..:.............
    0040: 01 08 00 00 00 00 02 00 02 0A 00 00 00 00 1C 00  // ................
    0050: 00 01 03 08 00 00 08 F0 1F 00 04 08 00 00 00 F0  // ................
    0060: 1F 07 05 08 00 00 01 00 15 01 00 00 10 00 01 00  // ................
    0070: 01 00 00 10 D9 FE 00 00 00 00 01 00 2C 00 00 00  // ............,...
    0080: 00 00 00 00 00 7A 00 00 00 00 FF FF 3F 7A 00 00  // .....z......?z..
    0090: 00 00 01 08 00 00 00 00 14 00 01 0C 00 00 00 03  // ................
    00A0: 01 00 02 03 04 05 02 00 10 00 01 00 00 00 02 08  // ................
    00B0: 00 00 00 00 03 00 03 00 14 00 00 00 00 00 00 00  // ................
    00C0: D9 FE 00 00 00 00 01 00 00 00 04 00 19 00 00 00  // ................
    00D0: 00 01 5C 5F 53 42 2E 50 43 49 30 2E 49 32 43 30  // ..\_SB.PCI0.I2C0
    00E0: 00 00 00 05 00 18 00 01 00 00 00 01 08 00 00 00  // ................
    00F0: 00 02 00 01 08 00 00 00 00 0B 00 06 00 1A 00 00  // ................
    0100: 00 00 00 01 08 1F 00 00 00 02 00 01 0A 1C 00 00  // ................
    0110: 00 0B 00 00 02 07 00 06 00 AA BB                 // ...........
