import type {
  EquipmentStatus,
  EquipmentType,
  Locale,
  MeterUnit,
  OrderStatus,
  Role,
  TaskCategory,
  TaskStatus,
  TrainingAccount,
} from '@cimco/contract';

/**
 * The demo yard's content: "Sterling yard", a scrap-metal recycler with a Metso/Lindemann shredder
 * line, a nonferrous plant, a baler and shear, material handlers, loaders, trucks and scales
 * (FEATURES.md §11). Its machines, part catalogue, tasks, incoming orders, knowledge entries,
 * maintenance log texts, and the demo site and accounts.
 *
 * Data and the types that describe it, nothing else: `demo-yard.ts` plans the rows from it (every
 * choice from a seeded PRNG, dates relative to the moment of seeding) and writes them. Kept apart
 * so the content can be read and edited without the seeding code, and the code without the content.
 *
 * - Days are counted back from (or, for due dates, forward from) the day of seeding, so the history
 *   is always recent. Tasks, orders and knowledge refer to machines by tag and to parts, tasks and
 *   users by name; the planner fails loudly on a name it cannot find.
 * - The part catalogue is modelled on a real yard's parts list (castings, grates and liners lying in
 *   the yard, "Metzo" typed for Metso, empty manufacturer cells) but the planner composes it from
 *   the component lists below: no real part number is copied.
 */

export const DEMO_SITE = { code: 'sterling', name: 'Sterling yard', timezone: 'America/Chicago' } as const;
export const DEMO_PASSWORD = 'demo';

export interface DemoAccount {
  username: Username;
  displayName: string;
  role: Role;
  locale: Locale;
}

/** The documented demo logins (README, tests and the login screen use this one list). */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'admin', displayName: 'Alex Admin', role: 'admin', locale: 'en' },
  { username: 'supervisor', displayName: 'Sam Supervisor', role: 'supervisor', locale: 'en' },
  { username: 'storeroom', displayName: 'Rosa Storeroom', role: 'storeroom', locale: 'es' },
  { username: 'tech', displayName: 'Tomás Tech', role: 'technician', locale: 'es' },
  { username: 'tech2', displayName: 'Terry Tech', role: 'technician', locale: 'en' },
];

/** The demo accounts are the training yard's people too (contract's TRAINING_ACCOUNTS). */
export type Username = TrainingAccount;

// ---------------------------------------------------------------------------------------------
// Machines
// ---------------------------------------------------------------------------------------------

export interface MachineSpec {
  tag: string;
  name: string;
  type: EquipmentType;
  area: string;
  make?: string;
  model?: string;
  serial?: string;
  parent?: string;
  status?: EquipmentStatus;
  /** When the current status began, for machines not running. */
  statusDaysAgo?: number;
  criticality: 1 | 2 | 3 | 4;
  meter?: number;
  meterUnit?: MeterUnit;
  /** Meter growth per day, for the history of meter readings. */
  perDay?: number;
  notes?: string;
}

/** Tags are numbered by section, with gaps for machines added later, as the yard's plates are. */
export const MACHINES: readonly MachineSpec[] = [
  // Shredder line: the main shredder and what hangs off it.
  { tag: 'CIMCO001', name: 'Main shredder', type: 'shredder', area: 'Shredder line', make: 'Metso Lindemann', model: '80/104 Mega Shredder', serial: 'ML80104-0917', criticality: 4, meter: 41_862, perDay: 13, notes: '6,000 HP. Hammer rotation every 300 h; weigh and pair hammers before hanging them.' },
  { tag: 'CIMCO002', parent: 'CIMCO001', name: 'Shredder main drive motor', type: 'motor', area: 'Shredder line', make: 'TECO-Westinghouse', model: 'MAX-E1 6000 HP', serial: 'TW6K-55120', criticality: 4, meter: 41_790, perDay: 13 },
  { tag: 'CIMCO003', parent: 'CIMCO001', name: 'Shredder rotor', type: 'rotor', area: 'Shredder line', make: 'Metso', model: '80/104 rotor, 10 disc', serial: 'R0917-B', criticality: 4, meter: 1_212, perDay: 13, notes: 'Hours since the last rotor rebuild.' },
  { tag: 'CIMCO004', parent: 'CIMCO001', name: 'Infeed apron conveyor', type: 'conveyor', area: 'Shredder line', make: 'Metso', model: 'Steel pan 96 in', criticality: 3 },
  { tag: 'CIMCO005', parent: 'CIMCO001', name: 'Discharge oscillator / outfeed conveyor', type: 'conveyor', area: 'Shredder line', make: 'Metso', model: 'Vibratory 72 in', criticality: 3 },
  { tag: 'CIMCO006', parent: 'CIMCO001', name: 'Shredder hydraulic power unit', type: 'hydraulic_unit', area: 'Shredder line', make: 'Parker', model: 'HPU 150 HP, 3000 psi', serial: 'PH-22871', criticality: 4, meter: 39_400, perDay: 13 },
  { tag: 'CIMCO007', parent: 'CIMCO001', name: 'Top feed roll', type: 'other', area: 'Shredder line', make: 'Metso', model: 'Feed roll 60 in', criticality: 3 },
  { tag: 'CIMCO008', parent: 'CIMCO001', name: 'Rotor bearing lube system', type: 'pump', area: 'Shredder line', make: 'Lincoln', model: 'Quicklub 203', criticality: 3 },
  { tag: 'CIMCO009', parent: 'CIMCO001', name: 'Z-box air separator fan', type: 'separator', area: 'Shredder line', make: 'Metso', model: 'Z-box 250 HP fan', criticality: 2 },
  { tag: 'CIMCO010', parent: 'CIMCO006', name: 'HPU main pump', type: 'pump', area: 'Shredder line', make: 'Parker', model: 'PV180', serial: 'PV180-4471', criticality: 3 },
  // Downstream of the shredder: magnets and conveyors to the piles.
  { tag: 'CIMCO011', name: 'Primary drum magnet', type: 'magnet', area: 'Shredder line', make: 'Eriez', model: 'P-Drum 60 x 84', criticality: 3 },
  { tag: 'CIMCO012', name: 'Secondary drum magnet', type: 'magnet', area: 'Shredder line', make: 'Eriez', model: 'P-Drum 48 x 72', criticality: 2 },
  { tag: 'CIMCO013', name: 'Picking station conveyor', type: 'conveyor', area: 'Shredder line', make: 'Continental', model: '48 in flat belt', criticality: 2 },
  { tag: 'CIMCO014', name: 'Ferrous stacker conveyor', type: 'conveyor', area: 'Ferrous pile', make: 'Superior', model: 'TeleStacker 36 in', criticality: 3, meter: 18_240, perDay: 12 },
  // Nonferrous plant: recovers aluminium, copper and zorba from the shredder residue.
  { tag: 'CIMCO020', name: 'Nonferrous recovery plant', type: 'other', area: 'Nonferrous plant', make: 'Steinert', model: 'NF line', criticality: 3 },
  { tag: 'CIMCO021', parent: 'CIMCO020', name: 'Trommel screen', type: 'separator', area: 'Nonferrous plant', make: 'McCloskey', model: 'T80', criticality: 3, meter: 12_906, perDay: 11 },
  { tag: 'CIMCO022', parent: 'CIMCO020', name: 'Eddy current separator #1', type: 'separator', area: 'Nonferrous plant', make: 'Eriez', model: 'ECS 60 in', criticality: 3 },
  { tag: 'CIMCO023', parent: 'CIMCO020', name: 'Eddy current separator #2', type: 'separator', area: 'Nonferrous plant', make: 'Steinert', model: 'EddyC 1.5', status: 'maintenance', statusDaysAgo: 3, criticality: 3 },
  { tag: 'CIMCO024', parent: 'CIMCO020', name: 'Vibratory feeder', type: 'other', area: 'Nonferrous plant', make: 'Eriez', model: 'HS-66', criticality: 2 },
  { tag: 'CIMCO025', parent: 'CIMCO020', name: 'Zorba conveyor C-7', type: 'conveyor', area: 'Nonferrous plant', make: 'Continental', model: '36 in troughed', criticality: 2 },
  { tag: 'CIMCO026', parent: 'CIMCO020', name: 'Fines conveyor C-8', type: 'conveyor', area: 'Nonferrous plant', make: 'Continental', model: '36 in troughed', status: 'down', statusDaysAgo: 2, criticality: 2 },
  { tag: 'CIMCO027', parent: 'CIMCO020', name: 'Induction sorter', type: 'separator', area: 'Nonferrous plant', make: 'Steinert', model: 'ISS 1000', criticality: 2 },
  // Baler and shear.
  { tag: 'CIMCO030', name: 'Logger / baler', type: 'baler', area: 'Baler pad', make: 'Harris', model: 'BSH-10-60', serial: 'HB-10-6218', criticality: 3, meter: 22_118, perDay: 8 },
  { tag: 'CIMCO031', name: 'Shear', type: 'shear', area: 'Baler pad', make: 'Sierra', model: 'T800SL', serial: 'SI-800-1147', criticality: 3, meter: 15_530, perDay: 7 },
  { tag: 'CIMCO032', parent: 'CIMCO031', name: 'Shear power unit', type: 'hydraulic_unit', area: 'Baler pad', make: 'Sierra', model: '2 x 200 HP', criticality: 3 },
  // Material handlers and cranes.
  { tag: 'CIMCO040', name: 'Material handler #1 (shredder feed)', type: 'crane', area: 'Shredder line', make: 'Sennebogen', model: '835 E', serial: 'SB835-5521', criticality: 4, meter: 27_314, perDay: 11 },
  { tag: 'CIMCO041', name: 'Material handler #2', type: 'crane', area: 'Yard north', make: 'Liebherr', model: 'LH 40 M', serial: 'LH40-2290', criticality: 3, meter: 19_873, perDay: 9 },
  { tag: 'CIMCO042', name: 'Material handler #3', type: 'crane', area: 'Yard south', make: 'Fuchs', model: 'MHL350', serial: 'F350-0871', status: 'maintenance', statusDaysAgo: 4, criticality: 3, meter: 31_455, perDay: 8 },
  { tag: 'CIMCO043', name: 'Shop overhead crane 10 t', type: 'crane', area: 'Shop', make: 'Demag', model: 'EKKE 10t', criticality: 2 },
  // Loaders and other mobile equipment.
  { tag: 'CIMCO050', name: 'Wheel loader #1', type: 'loader', area: 'Yard north', make: 'Caterpillar', model: '966M', serial: 'CAT966M-JX4412', criticality: 3, meter: 14_502, perDay: 9 },
  { tag: 'CIMCO051', name: 'Wheel loader #2', type: 'loader', area: 'Nonferrous plant', make: 'Volvo', model: 'L120H', serial: 'VCE120H-7734', criticality: 3, meter: 9_877, perDay: 8 },
  { tag: 'CIMCO052', name: 'Skid steer', type: 'loader', area: 'Nonferrous plant', make: 'Bobcat', model: 'S770', criticality: 2, meter: 4_310, perDay: 4 },
  { tag: 'CIMCO053', name: 'Old wheel loader', type: 'loader', area: 'Yard south', make: 'Caterpillar', model: '950G', serial: 'CAT950G-AXX301', status: 'retired', statusDaysAgo: 40, criticality: 1, meter: 38_990, notes: 'Transmission failed. Kept for parts.' },
  { tag: 'CIMCO054', name: 'Excavator with grapple', type: 'excavator', area: 'Yard south', make: 'Caterpillar', model: '330', criticality: 2, meter: 8_644, perDay: 5 },
  { tag: 'CIMCO055', name: 'Forklift', type: 'other', area: 'Shop', make: 'Hyster', model: 'H80FT', criticality: 1, meter: 6_021, perDay: 2 },
  // Trucks.
  { tag: 'CIMCO060', name: 'Roll-off truck #1', type: 'truck', area: 'Yard north', make: 'Kenworth', model: 'T880', serial: '1NKZX4TX5KJ2281', criticality: 3, meter: 184_220, meterUnit: 'miles', perDay: 140 },
  { tag: 'CIMCO061', name: 'Roll-off truck #2', type: 'truck', area: 'Yard north', make: 'Mack', model: 'Granite', serial: '1M2GR4GC8MM0193', status: 'down', statusDaysAgo: 9, criticality: 3, meter: 221_905, meterUnit: 'miles', perDay: 120 },
  { tag: 'CIMCO062', name: 'Yard tractor', type: 'truck', area: 'Yard north', make: 'Kalmar', model: 'Ottawa T2', criticality: 2, meter: 11_260, perDay: 6 },
  { tag: 'CIMCO063', name: 'Service pickup', type: 'truck', area: 'Shop', make: 'Ford', model: 'F-350', criticality: 1, meter: 96_414, meterUnit: 'miles', perDay: 35 },
  // Scales.
  { tag: 'CIMCO070', name: 'Inbound truck scale', type: 'scale', area: 'Scale house', make: 'Mettler Toledo', model: 'VTS 80 x 11 ft', criticality: 4 },
  { tag: 'CIMCO071', name: 'Outbound truck scale', type: 'scale', area: 'Scale house', make: 'Fairbanks', model: 'Titan 70 x 11 ft', criticality: 4 },
  { tag: 'CIMCO072', name: 'Nonferrous platform scale', type: 'scale', area: 'Nonferrous plant', make: 'Rice Lake', model: 'RoughDeck 5 x 5 ft', criticality: 2 },
  // Water, air and power.
  { tag: 'CIMCO080', name: 'Stormwater lift pump', type: 'pump', area: 'Yard south', make: 'Gorman-Rupp', model: 'T6A3S', criticality: 2 },
  { tag: 'CIMCO081', name: 'Dust suppression water pump', type: 'pump', area: 'Shredder line', make: 'Grundfos', model: 'CR 32', criticality: 2 },
  { tag: 'CIMCO082', name: 'Shop air compressor', type: 'compressor', area: 'Shop', make: 'Atlas Copco', model: 'GA37', serial: 'AII-604512', criticality: 2, meter: 3_972, perDay: 10 },
  { tag: 'CIMCO083', name: 'Plant air compressor', type: 'compressor', area: 'Shredder line', make: 'Ingersoll Rand', model: 'R55i', criticality: 3, meter: 21_430, perDay: 14 },
  { tag: 'CIMCO084', name: 'Standby generator', type: 'generator', area: 'Scale house', make: 'Caterpillar', model: 'C15 500 kW', criticality: 2, meter: 612, perDay: 0.1 },
];

/** Machines that share log texts (`LOG_TEXTS`); `machineGroup()` in demo-yard.ts sorts them. */
export type MachineGroup = 'shredder' | 'conveyor' | 'separator' | 'mobile' | 'baler' | 'utility';

// ---------------------------------------------------------------------------------------------
// Parts
// ---------------------------------------------------------------------------------------------

type Range = readonly [number, number];

/** One line of the catalogue: a family of similar parts sharing supplier, bin row and ranges. */
export interface CatalogLine {
  category: string;
  partType: string | null;
  /** Part numbers are `${prefix}-${item code}`. */
  prefix: string;
  manufacturers: readonly (string | null)[];
  suppliers: readonly string[];
  /** Absent: unit cost unknown (empty cell). */
  cost?: Range;
  stock: Range;
  min: Range;
  lead: Range;
  wear: Range;
  /** Bin row, e.g. "Bin B" gives "Bin B-1" … "Bin B-8"; "Yard" as is. */
  location: string;
  unit?: string;
  usedOn: readonly string[];
  /** [name, part-number code]. */
  items: ReadonlyArray<readonly [string, string]>;
}

export const SHREDDER_LINE = ['CIMCO001', 'CIMCO003', 'CIMCO007', 'CIMCO004'];
const HYDRAULIC_MACHINES = ['CIMCO006', 'CIMCO040', 'CIMCO041', 'CIMCO042', 'CIMCO032', 'CIMCO030'];
const CONVEYORS = ['CIMCO004', 'CIMCO005', 'CIMCO013', 'CIMCO014', 'CIMCO025', 'CIMCO026'];
const ELECTRICAL_MACHINES = ['CIMCO002', 'CIMCO011', 'CIMCO012', 'CIMCO022', 'CIMCO023', 'CIMCO013', 'CIMCO084'];

export const CATALOG: readonly CatalogLine[] = [
  // The shredder's own consumables, bought from a shredder shop and kept in bins near the line.
  {
    category: 'Shredder', partType: 'Hammer', prefix: 'SH', manufacturers: [null], suppliers: ['SSI Shredding'],
    cost: [60, 950], stock: [4, 16], min: [4, 6], lead: [21, 42], wear: [5, 5], location: 'Bin A', usedOn: ['CIMCO003'],
    items: [['Shredder hammer - heavy duty manganese', 'HD-01'], ['Shredder hammer - standard', 'STD-02'], ['Hammer pin 7 in', 'PIN-07'], ['Hammer pin puller adaptor', 'PPA-01']],
  },
  {
    category: 'Shredder', partType: 'Grate', prefix: 'SG', manufacturers: [null], suppliers: ['SSI Shredding'],
    cost: [280, 640], stock: [1, 3], min: [1, 1], lead: [28, 56], wear: [4, 4], location: 'Rack A', usedOn: ['CIMCO001'],
    items: [['Shredder grate - 3 inch', '3IN-01'], ['Shredder grate - 4 inch', '4IN-01']],
  },
  // Hydraulics.
  {
    category: 'Hydraulics', partType: 'Seal', prefix: 'HC-SK', manufacturers: ['Parker', null], suppliers: ['Grainger', 'Amazon'],
    cost: [28, 120], stock: [2, 8], min: [2, 3], lead: [2, 7], wear: [4, 4], location: 'Bin B', usedOn: HYDRAULIC_MACHINES,
    items: [['Hydraulic cylinder seal kit - 3 in bore', '030'], ['Hydraulic cylinder seal kit - 4 in bore', '040'], ['Hydraulic cylinder seal kit - 5 in bore', '050'], ['Hydraulic cylinder seal kit - 6 in bore', '060'], ['Hydraulic cylinder seal kit - 8 in bore', '080']],
  },
  {
    category: 'Hydraulics', partType: 'Filter', prefix: 'HF', manufacturers: ['Donaldson', 'Hydac', 'Parker'], suppliers: ['Motion Industries', 'Grainger'],
    cost: [24, 180], stock: [2, 12], min: [2, 4], lead: [2, 10], wear: [4, 5], location: 'Bin B', usedOn: ['CIMCO006', 'CIMCO032', 'CIMCO030'],
    items: [['Return filter element, 10 micron', 'RT10'], ['Pressure filter element, 3 micron', 'PR03'], ['Suction strainer, 100 mesh', 'SS100'], ['Reservoir breather filter', 'BR01'], ['Kidney loop filter element', 'KL05']],
  },
  {
    category: 'Hydraulics', partType: 'Hose', prefix: 'HH', manufacturers: ['Gates', 'Parker'], suppliers: ['Motion Industries', 'Applied Industrial'],
    cost: [38, 145], stock: [1, 6], min: [1, 2], lead: [1, 3], wear: [3, 4], location: 'Shelf B', usedOn: HYDRAULIC_MACHINES,
    items: [['Hydraulic hose assy 2-wire -08 x 24 in', '08-24'], ['Hydraulic hose assy 2-wire -08 x 48 in', '08-48'], ['Hydraulic hose assy 2-wire -12 x 36 in', '12-36'], ['Hydraulic hose assy 2-wire -12 x 72 in', '12-72'], ['Hydraulic hose assy 4-spiral -16 x 48 in', '16-48'], ['Hydraulic hose assy 4-spiral -16 x 96 in', '16-96'], ['Hydraulic hose assy 4-spiral -20 x 60 in', '20-60'], ['Spiral hose guard, 2 in (per ft)', 'GUARD-2']],
  },
  {
    category: 'Hydraulics', partType: 'Fitting', prefix: 'HFT', manufacturers: ['Parker', 'Eaton', null], suppliers: ['Motion Industries'],
    cost: [6, 58], stock: [4, 20], min: [2, 6], lead: [1, 5], wear: [2, 2], location: 'Bin B', usedOn: HYDRAULIC_MACHINES,
    items: [['JIC 37 deg male connector -08', 'JM08'], ['JIC 37 deg male connector -12', 'JM12'], ['JIC 37 deg male connector -16', 'JM16'], ['ORFS 90 deg elbow -08', 'OE08'], ['ORFS 90 deg elbow -12', 'OE12'], ['Code 61 flange kit 1 in', 'F61-16'], ['Code 62 flange kit 1-1/4 in', 'F62-20'], ['Quick coupler, flat face -08', 'QC08'], ['O-ring kit, SAE/ORFS assortment', 'ORK']],
  },
  {
    category: 'Hydraulics', partType: null, prefix: 'HP', manufacturers: ['Parker', 'Bosch Rexroth', 'Hydac', null], suppliers: ['Grainger', 'Motion Industries', 'Parker Store'],
    cost: [65, 5200], stock: [1, 3], min: [1, 1], lead: [7, 35], wear: [2, 3], location: 'Shelf B', usedOn: ['CIMCO006', 'CIMCO010', 'CIMCO032'],
    items: [['Hydraulic pump - main (PV180)', 'MAIN-001'], ['Gear pump - pilot circuit', 'PILOT-01'], ['Directional control valve D05, 24 VDC', 'DCV-D05'], ['Relief valve cartridge 3000 psi', 'RV-3000'], ['Accumulator bladder, 10 gal', 'ACC-10'], ['Pressure gauge 0-5000 psi, glycerin', 'GA-5000'], ['Solenoid coil 24 VDC', 'COIL-24']],
  },
  {
    category: 'Hydraulics', partType: 'Fluid', prefix: 'OIL', manufacturers: ['Mobil', 'Chevron'], suppliers: ['Grainger'],
    cost: [640, 980], stock: [2, 6], min: [2, 2], lead: [3, 7], wear: [5, 5], location: 'Yard', unit: 'drum', usedOn: ['CIMCO006', 'CIMCO040'],
    items: [['Hydraulic oil AW46, 55 gal drum', 'AW46-55'], ['Hydraulic oil AW68, 55 gal drum', 'AW68-55']],
  },
  // Electrical.
  {
    category: 'Electrical', partType: 'Bearing', prefix: 'MB', manufacturers: ['SKF', 'Timken', 'NSK'], suppliers: ['Applied Industrial', 'Amazon'],
    cost: [14, 140], stock: [2, 10], min: [2, 4], lead: [2, 10], wear: [3, 3], location: 'Bin D', usedOn: ELECTRICAL_MACHINES,
    items: [['Motor bearing 6205-2RS', '6205'], ['Motor bearing 6206-2RS', '6206'], ['Motor bearing 6309-2Z', '6309'], ['Motor bearing 6312 C3', '6312'], ['Spherical roller bearing 22220 EK', '22220']],
  },
  {
    category: 'Electrical', partType: 'Controls', prefix: 'EL', manufacturers: ['Allen-Bradley', 'Eaton', 'Siemens', 'Banner', 'ifm', null], suppliers: ['Grainger', 'Border States', 'Amazon'],
    cost: [9, 2400], stock: [1, 6], min: [1, 2], lead: [2, 21], wear: [1, 2], location: 'Shelf D', usedOn: ELECTRICAL_MACHINES,
    items: [['Contactor 3-pole 95 A, 120 V coil', 'CON-95'], ['Overload relay 60-90 A', 'OL-90'], ['Proximity sensor M18, PNP', 'PROX-18'], ['Limit switch, heavy duty', 'LS-HD'], ['Zero speed switch', 'ZSS-01'], ['Photo eye, retroreflective', 'PE-RR'], ['Motor starter 10 HP, 480 V', 'MS-10'], ['VFD 25 HP, 480 V', 'VFD-25'], ['Control transformer 500 VA', 'CT-500'], ['Pull cord safety switch', 'PCS-01'], ['E-stop pushbutton, mushroom', 'ESTOP'], ['Pilot light LED 24 V, green', 'PL-G24'], ['Magnet rectifier / controller board', 'MRC-01'], ['RTD sensor, motor winding', 'RTD-100'], ['Cable SOOW 12/4 (per ft)', 'SOOW-124']],
  },
  {
    category: 'Electrical', partType: 'Fuse', prefix: 'FU', manufacturers: ['Bussmann', 'Littelfuse'], suppliers: ['Border States'],
    cost: [8, 32], stock: [6, 30], min: [6, 10], lead: [1, 3], wear: [3, 3], location: 'Bin D', usedOn: ELECTRICAL_MACHINES,
    items: [['Fuse class J 30 A', 'J30'], ['Fuse class J 60 A', 'J60'], ['Fuse class CC 10 A', 'CC10']],
  },
  // Conveyors.
  {
    category: 'Conveyor', partType: 'Belt', prefix: 'CB', manufacturers: ['Continental', 'Fenner Dunlop', null], suppliers: ['MSC Direct', 'Applied Industrial'],
    cost: [260, 2900], stock: [1, 3], min: [1, 1], lead: [10, 28], wear: [4, 4], location: 'Rack C', unit: 'roll', usedOn: CONVEYORS,
    items: [['Conveyor belt - 24 inch, 3-ply', '24-3P'], ['Conveyor belt - 36 inch, 3-ply', '36-3P'], ['Conveyor belt - 48 inch, 4-ply', '48-4P'], ['Conveyor belt - 60 inch, cleated', '60-CL']],
  },
  {
    category: 'Conveyor', partType: 'Idler', prefix: 'CI', manufacturers: ['Precision Pulley', 'Continental'], suppliers: ['Applied Industrial'],
    cost: [85, 420], stock: [2, 8], min: [2, 3], lead: [7, 21], wear: [3, 4], location: 'Rack C', usedOn: CONVEYORS,
    items: [['Troughing idler 35 deg, 36 in', 'T35-36'], ['Troughing idler 35 deg, 48 in', 'T35-48'], ['Return idler, 36 in', 'R-36'], ['Return idler, 48 in', 'R-48'], ['Impact idler, 36 in', 'I-36'], ['Impact idler, 48 in', 'I-48']],
  },
  {
    category: 'Conveyor', partType: 'Wear Part', prefix: 'CW', manufacturers: ['Flexco', 'Martin Engineering', 'Dodge', null], suppliers: ['MSC Direct', 'Applied Industrial'],
    cost: [18, 640], stock: [1, 10], min: [1, 3], lead: [3, 14], wear: [3, 5], location: 'Rack C', usedOn: CONVEYORS,
    items: [['Belt fastener kit R5, 36 in', 'FK-R5-36'], ['Belt fastener kit R5, 48 in', 'FK-R5-48'], ['Primary belt cleaner blade, 36 in', 'PBC-36'], ['Primary belt cleaner blade, 48 in', 'PBC-48'], ['Skirt board rubber 3/4 x 8 in (per ft)', 'SKIRT'], ['Ceramic pulley lagging strip', 'LAG-C'], ['Take-up bearing 2-7/16 in', 'TUB-207'], ['Roller chain #100 (10 ft)', 'CH-100'], ['Sprocket 100B20', 'SP-100'], ['Gearbox output seal', 'GBS-01']],
  },
  {
    category: 'Conveyor', partType: 'Pulley', prefix: 'CP', manufacturers: ['Precision Pulley'], suppliers: ['Applied Industrial'],
    cost: [900, 3800], stock: [0, 1], min: [0, 1], lead: [28, 56], wear: [2, 2], location: 'Yard', usedOn: CONVEYORS,
    items: [['Head pulley 24 in, lagged', 'HD-24'], ['Wing tail pulley 36 in', 'WT-36']],
  },
  // Mobile equipment: each machine's own filters, from its dealer.
  {
    category: 'Mobile equipment', partType: 'Filter', prefix: 'MF966', manufacturers: ['Caterpillar'], suppliers: ['Caterpillar'],
    cost: [22, 140], stock: [2, 8], min: [2, 2], lead: [1, 5], wear: [5, 5], location: 'Shelf E', usedOn: ['CIMCO050', 'CIMCO054'],
    items: [['Engine oil filter - CAT 966M', 'EO'], ['Fuel filter - CAT 966M', 'FU'], ['Air filter outer - CAT 966M', 'AO'], ['Hydraulic return filter - CAT 966M', 'HR']],
  },
  {
    category: 'Mobile equipment', partType: 'Filter', prefix: 'MFL120', manufacturers: ['Volvo'], suppliers: ['Volvo CE dealer'],
    cost: [25, 160], stock: [1, 6], min: [1, 2], lead: [2, 7], wear: [5, 5], location: 'Shelf E', usedOn: ['CIMCO051'],
    items: [['Engine oil filter - Volvo L120H', 'EO'], ['Fuel filter - Volvo L120H', 'FU'], ['Air filter outer - Volvo L120H', 'AO']],
  },
  {
    category: 'Mobile equipment', partType: 'Filter', prefix: 'MF835', manufacturers: ['Sennebogen', 'Fleetguard'], suppliers: ['Sennebogen dealer'],
    cost: [30, 210], stock: [1, 6], min: [1, 2], lead: [3, 14], wear: [5, 5], location: 'Shelf E', usedOn: ['CIMCO040'],
    items: [['Engine oil filter - Sennebogen 835', 'EO'], ['Fuel filter - Sennebogen 835', 'FU'], ['Air filter outer - Sennebogen 835', 'AO'], ['Hydraulic return filter - Sennebogen 835', 'HR']],
  },
  {
    category: 'Mobile equipment', partType: 'Filter', prefix: 'MFLH40', manufacturers: ['Liebherr'], suppliers: ['Liebherr dealer'],
    cost: [30, 220], stock: [1, 5], min: [1, 2], lead: [5, 21], wear: [5, 5], location: 'Shelf E', usedOn: ['CIMCO041'],
    items: [['Engine oil filter - Liebherr LH 40', 'EO'], ['Hydraulic return filter - Liebherr LH 40', 'HR'], ['Air filter outer - Liebherr LH 40', 'AO']],
  },
  {
    category: 'Mobile equipment', partType: 'Filter', prefix: 'MFTRK', manufacturers: ['Fleetguard', 'Baldwin', 'Donaldson'], suppliers: ['FleetPride'],
    cost: [14, 95], stock: [2, 8], min: [2, 2], lead: [1, 3], wear: [5, 5], location: 'Shelf E', usedOn: ['CIMCO060', 'CIMCO061'],
    items: [['Engine oil filter - roll-off trucks', 'EO'], ['Fuel / water separator - roll-off trucks', 'FWS'], ['Air dryer cartridge - roll-off trucks', 'ADC']],
  },
  {
    category: 'Mobile equipment', partType: 'Wear Part', prefix: 'ME', manufacturers: ['Caterpillar', 'Sennebogen', 'ESCO', 'Bridgestone', null], suppliers: ['Caterpillar', 'FleetPride', 'Sennebogen dealer', 'Amazon'],
    cost: [12, 4800], stock: [1, 12], min: [1, 4], lead: [2, 30], wear: [3, 5], location: 'Shelf E', usedOn: ['CIMCO050', 'CIMCO051', 'CIMCO040', 'CIMCO041', 'CIMCO060', 'CIMCO061', 'CIMCO052'],
    items: [['Bucket cutting edge, 10 ft bolt-on', 'CE-10'], ['Cutting edge bolt & nut 3/4 in', 'CEB-34'], ['Bucket tooth tip', 'TT-01'], ['Tooth pin & retainer', 'TPR-01'], ['Grapple tine', 'GT-01'], ['Grapple cylinder seal kit', 'GCS-01'], ['Slewing ring bolt set', 'SRB-01'], ['Brake chamber 30/30', 'BC-3030'], ['Roll-off cable 3/4 in x 60 ft', 'ROC-34'], ['Wiper blade 22 in', 'WB-22'], ['Backup alarm 107 dB', 'BUA-107'], ['LED work light 4000 lm', 'LWL-4K'], ['Loader tire 23.5R25 L5', 'TIRE-235'], ['Solid tire 12-16.5 (skid steer)', 'TIRE-SS']],
  },
  // Baler and shear.
  {
    category: 'Baler/Shear', partType: 'Wear Part', prefix: 'BS', manufacturers: ['Sierra', 'Harris'], suppliers: ['Sierra', 'Harris'],
    cost: [140, 3600], stock: [1, 4], min: [1, 2], lead: [14, 45], wear: [3, 5], location: 'Rack A', usedOn: ['CIMCO030', 'CIMCO031'],
    items: [['Shear blade - upper', 'SB-UP'], ['Shear blade - lower', 'SB-LO'], ['Side guide blade', 'SGB-01'], ['Blade bolt set', 'BBS-01'], ['Baler lid liner plate', 'LLP-01'], ['Ram wear shoe', 'RWS-01'], ['Baler cylinder rod seal kit', 'RSK-01']],
  },
  // Scales.
  {
    category: 'Scales', partType: 'Electrical', prefix: 'SC', manufacturers: ['Mettler Toledo', 'Rice Lake', 'Fairbanks'], suppliers: ['Midwest Scale Service'],
    cost: [60, 1450], stock: [0, 2], min: [0, 1], lead: [5, 21], wear: [1, 2], location: 'Shelf D', usedOn: ['CIMCO070', 'CIMCO071', 'CIMCO072'],
    items: [['Load cell, 50,000 lb double-ended beam', 'LC-50K'], ['Junction box summing board', 'JB-4'], ['Scale indicator', 'IND-01'], ['Home-run cable, 50 ft', 'HRC-50'], ['Lightning protection kit', 'LPK-01']],
  },
  // Compressed air.
  {
    category: 'General', partType: 'Filter', prefix: 'AC', manufacturers: ['Atlas Copco', 'Ingersoll Rand'], suppliers: ['Atlas Copco', 'Grainger'],
    cost: [35, 420], stock: [1, 4], min: [1, 2], lead: [3, 14], wear: [4, 4], location: 'Shelf F', usedOn: ['CIMCO082', 'CIMCO083'],
    items: [['Compressor air filter element', 'AF-37'], ['Compressor oil separator element', 'OS-37'], ['Compressor oil, 5 gal', 'OIL-5'], ['Auto drain valve kit', 'ADV-01']],
  },
  // Shop and yard consumables.
  {
    category: 'General', partType: 'Consumable', prefix: 'GN', manufacturers: ['Mobil', 'Lincoln Electric', 'Master Lock', '3M', 'Norton', null], suppliers: ['Grainger', 'MSC Direct', 'Amazon', 'Airgas'],
    cost: [8, 720], stock: [2, 24], min: [2, 6], lead: [1, 5], wear: [4, 5], location: 'Shelf F', usedOn: [],
    items: [['Grease cartridge EP2, case of 10', 'GR-EP2'], ['Grease drum EP2, 120 lb (lube system)', 'GRD-EP2'], ['Welding rod 7018 1/8 in, 50 lb', 'WR-7018'], ['Hardfacing wire 1/16 in, 60 lb spool', 'HFW-116'], ['Cutting tip #3', 'CT-3'], ['Oxygen regulator', 'OXR-01'], ['Lockout padlock, red', 'LOTO-PL'], ['Lockout hasp', 'LOTO-HS'], ['Lockout tags, pack of 25', 'LOTO-TG'], ['Gear oil 80W-90, 5 gal', 'GO-8090'], ['Engine oil 15W-40, 55 gal', 'EO-1540'], ['Absorbent pads, bale', 'ABS-01'], ['Safety glasses, box of 12', 'PPE-SG'], ['Cut-resistant gloves, dozen', 'PPE-GL'], ['Ear plugs, box of 200', 'PPE-EP'], ['Grinding disc 7 in, box of 25', 'GD-7'], ['Cut-off wheel 14 in', 'COW-14']],
  },
];

/**
 * Shredder castings, liners and hardware: mostly lying in the yard, bought from the OEM (Metso —
 * often typed "Metzo") or as Lindemann aftermarket copies with their own numbers.
 */
export interface CastingFamily {
  assembly: string;
  /** Metso-style part number family, e.g. "64080" gives "64080-A12". */
  family: string;
  partType: string;
  wear: number;
  names: readonly string[];
}

export const CASTING_FAMILIES: readonly CastingFamily[] = [
  {
    assembly: 'housing', family: '64100', partType: 'Casting', wear: 3,
    names: ['ANVIL CASTING', 'ANVIL INSERT CASTING', 'BREAKER BAR', 'FRONT ROOF CASTING', 'REAR ROOF CASTING', 'REAR WALL CASTING', 'KICK OUT DOOR', 'REJECT DOOR LINER', 'FEED ROLL TOOTH BAR', 'BOTTOM ANVIL PIN', 'SIDE WALL WEAR PLATE', 'DISCHARGE CHUTE LINER'],
  },
  {
    assembly: 'grates', family: '6880', partType: 'Grate', wear: 4,
    names: ['SOLID GRATE', 'FILLER GRATE', "3 1/4'' OPEN GRATE", "4 1/4''OPEN MID GRATE", "6'' OPEN GRATE", 'REJECT GRATE'],
  },
  {
    assembly: 'rotor', family: '6980', partType: 'Wear Part', wear: 4,
    names: ['HAMMER', 'HAMMER PIN', 'PIN PROTECTOR CAP', 'DISC CAP', 'END DISC CAP', 'PIN RETAINER PLATE', 'ROTOR BEARING SHIM PLATE', 'BEARING FLINGER (INNER)', 'BEARING FLINGER (OUTER)', 'INNER COVER PLATE', 'OUTER COVER PLATE', 'OIL SEAL, SPLIT TYPE', 'HINGE PIN', 'HINGE PIN RETAINER PLATE', 'SPACER PLATE'],
  },
];

/** Side liners: upper/lower × right/left hand × position — the part type says "Upper"/"Lower". */
export const LINER_LEVELS = [['UPPER', '66'], ['LOWER', '63']] as const;
export const LINER_HANDS = ['RIGHT HAND', 'LEFT HAND'] as const;
export const LINER_POSITIONS = 4;

/** Shredder hardware, composed from sizes. */
export const BOLT_SIZES = ["1 1/2''", "2''", "2 1/2''"] as const;
export const BOLT_LENGTHS = ["9 3/4''", "13''", "20''"] as const;
export const NUT_KINDS = ['ELASTIC STOP NUT', 'HEAVY HEX NUT', 'HIGH STRENGTH WASHER'] as const;

export const SHREDDER_MODEL = 'Metso 80/104';

// ---------------------------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------------------------

export interface TaskSpec {
  machine: string;
  title: string;
  description?: string;
  priority: 1 | 2 | 3 | 4;
  category: TaskCategory;
  status: TaskStatus;
  assignee?: 'tech' | 'tech2';
  createdBy?: Username;
  createdDaysAgo: number;
  /** Relative to today: negative is overdue for open work. */
  dueInDays?: number;
  loto?: boolean;
  completedDaysAgo?: number;
  resolution?: string;
  hoursSpent?: number;
  cancelledReason?: string;
  /** Parts taken from stock for this job: [part name, quantity]. */
  parts?: ReadonlyArray<readonly [string, number]>;
}

export const TASKS: readonly TaskSpec[] = [
  // Open work.
  { machine: 'CIMCO003', title: 'Rotate hammers on rotor', description: 'Rotation due at 300 h. Weigh and pair hammers before hanging.', priority: 3, category: 'shredder', status: 'open', assignee: 'tech', createdDaysAgo: 5, dueInDays: 3 },
  { machine: 'CIMCO026', title: 'Fines conveyor C-8 tripped: belt torn at splice', description: 'Belt ripped at the mechanical splice, about 18 in. Plant running around C-8 with the skid steer.', priority: 4, category: 'conveyor', status: 'in_progress', assignee: 'tech2', createdDaysAgo: 2, dueInDays: -1, loto: true },
  { machine: 'CIMCO061', title: 'Roll-off #2 air leak at rear brake chamber', description: 'Truck red-tagged. Brake chamber on order.', priority: 3, category: 'mobile_equipment', status: 'on_hold', assignee: 'tech2', createdDaysAgo: 9, dueInDays: -4 },
  { machine: 'CIMCO006', title: 'Replace return filter elements on HPU', description: 'Filter bypass indicator showing red on return filter 2.', priority: 2, category: 'hydraulics', status: 'open', assignee: 'tech', createdDaysAgo: 3, dueInDays: 6 },
  { machine: 'CIMCO023', title: 'ECS #2: replace drum shell bearing', description: 'Bearing noise at drive end, temperature 85 °C on the gun.', priority: 3, category: 'electrical', status: 'in_progress', assignee: 'tech', createdDaysAgo: 4, dueInDays: 0, loto: true },
  { machine: 'CIMCO040', title: 'Material handler #1: grapple cylinder weeping oil', priority: 3, category: 'hydraulics', status: 'open', assignee: 'tech2', createdDaysAgo: 1, dueInDays: 2 },
  { machine: 'CIMCO070', title: 'Inbound scale certification: clean pit and check cells', priority: 2, category: 'general', status: 'open', createdDaysAgo: 6, dueInDays: 14 },
  { machine: 'CIMCO004', title: 'Infeed apron: replace three worn pans', priority: 2, category: 'shredder', status: 'open', assignee: 'tech', createdDaysAgo: 11, dueInDays: 10 },
  { machine: 'CIMCO082', title: 'Shop compressor 4,000 h service', description: 'Air filter, oil separator, oil change.', priority: 2, category: 'general', status: 'open', assignee: 'tech2', createdDaysAgo: 15, dueInDays: -2 },
  { machine: 'CIMCO050', title: 'Loader #1 500 h service', priority: 2, category: 'mobile_equipment', status: 'open', assignee: 'tech2', createdDaysAgo: 4, dueInDays: 5 },
  { machine: 'CIMCO042', title: 'MH #3: grease swing bearing, torque slewing ring bolts', priority: 3, category: 'lubrication', status: 'in_progress', assignee: 'tech', createdDaysAgo: 7, dueInDays: -3, loto: true },
  { machine: 'CIMCO031', title: 'Shear blades: rotate and shim', priority: 2, category: 'structural', status: 'open', createdDaysAgo: 8, dueInDays: 12 },
  { machine: 'CIMCO081', title: 'Bomba de supresión de polvo gotea por el empaque', description: 'Gotea bastante por el sello del eje. Revisar empaque y camisa.', priority: 1, category: 'general', status: 'open', createdBy: 'tech', createdDaysAgo: 10, dueInDays: 9 },
  { machine: 'CIMCO030', title: 'Baler lid liner cracked: weld repair', description: 'Waiting for the shop crane and a Saturday.', priority: 2, category: 'structural', status: 'on_hold', assignee: 'tech', createdDaysAgo: 20, dueInDays: 20 },
  { machine: 'CIMCO084', title: 'Generator monthly load test', priority: 1, category: 'electrical', status: 'open', assignee: 'tech2', createdDaysAgo: 2, dueInDays: 1 },
  { machine: 'CIMCO014', title: 'Stacker conveyor: replace seized return idlers', priority: 2, category: 'conveyor', status: 'open', createdDaysAgo: 6, dueInDays: 8 },
  { machine: 'CIMCO001', title: 'Weekly: check anvil and breaker bar gap', priority: 3, category: 'shredder', status: 'open', assignee: 'tech', createdDaysAgo: 1, dueInDays: 0 },
  { machine: 'CIMCO011', title: 'Primary magnet: belt tracking to the left', priority: 2, category: 'conveyor', status: 'open', createdDaysAgo: 3, dueInDays: 4 },
  { machine: 'CIMCO060', title: 'Roll-off #1 DOT annual inspection', priority: 2, category: 'mobile_equipment', status: 'open', createdDaysAgo: 12, dueInDays: 25 },
  { machine: 'CIMCO043', title: 'Shop crane annual inspection (OSHA 1910.179)', priority: 3, category: 'safety', status: 'open', createdDaysAgo: 30, dueInDays: -6 },
  // Finished work, with the parts it took.
  { machine: 'CIMCO002', title: 'Main motor: grease bearings', priority: 2, category: 'lubrication', status: 'done', assignee: 'tech', createdDaysAgo: 14, completedDaysAgo: 12, loto: true, hoursSpent: 1.5, resolution: 'Greased DE and NDE, 4 pumps each. Purged old grease. Temps normal after start.', parts: [['Grease cartridge EP2, case of 10', 1]] },
  { machine: 'CIMCO006', title: 'Feed roll cylinder leaking: replace seal kit', priority: 4, category: 'hydraulics', status: 'done', assignee: 'tech2', createdDaysAgo: 20, completedDaysAgo: 18, loto: true, hoursSpent: 6, resolution: 'Pulled cylinder, rod seal and wiper torn. New 5 in seal kit, honed barrel, tested to 2,800 psi. No leaks.', parts: [['Hydraulic cylinder seal kit - 5 in bore', 1]] },
  { machine: 'CIMCO003', title: 'Replace worn hammers and pins', priority: 4, category: 'shredder', status: 'done', assignee: 'tech', createdDaysAgo: 28, completedDaysAgo: 26, loto: true, hoursSpent: 10, resolution: 'Replaced 4 hammers at 50% weight and 2 pins. Weighed and paired, within 2 lb. Vibration 3.1 mm/s after start.', parts: [['Shredder hammer - heavy duty manganese', 4], ['Hammer pin 7 in', 2]] },
  { machine: 'CIMCO025', title: 'Zorba conveyor: belt splice pulled apart', priority: 3, category: 'conveyor', status: 'done', assignee: 'tech2', createdDaysAgo: 9, completedDaysAgo: 8, loto: true, hoursSpent: 3, resolution: 'Cut back damaged end, new R5 fasteners, re-tracked the belt.', parts: [['Belt fastener kit R5, 36 in', 1]] },
  { machine: 'CIMCO051', title: 'Loader #2: replace bucket cutting edge', priority: 2, category: 'mobile_equipment', status: 'done', assignee: 'tech', createdDaysAgo: 35, completedDaysAgo: 33, loto: true, hoursSpent: 4, resolution: 'Cambiamos la cuchilla y todos los tornillos. Torque a 420 lb-ft.', parts: [['Bucket cutting edge, 10 ft bolt-on', 1], ['Cutting edge bolt & nut 3/4 in', 8]] },
  { machine: 'CIMCO071', title: 'Outbound scale: clear error E-31 after rain', priority: 3, category: 'electrical', status: 'done', assignee: 'tech2', createdDaysAgo: 41, completedDaysAgo: 40, loto: true, hoursSpent: 2, resolution: 'Water in junction box. Dried, new desiccant, resealed gland. Zero and span checked with test weights.' },
  // Cancelled.
  { machine: 'CIMCO053', title: 'Old loader: replace transmission', priority: 2, category: 'mobile_equipment', status: 'cancelled', createdDaysAgo: 50, cancelledReason: 'Machine retired: repair costs more than it is worth. Keep for parts.' },
  { machine: 'CIMCO071', title: 'Outbound scale: replace load cell 3', priority: 3, category: 'electrical', status: 'cancelled', assignee: 'tech2', createdDaysAgo: 42, cancelledReason: 'Cell tested fine once the junction box was dried out. See knowledge entry on scale drift.' },
];

// ---------------------------------------------------------------------------------------------
// Incoming orders
// ---------------------------------------------------------------------------------------------

export interface OrderSpec {
  part: string;
  status: OrderStatus;
  ordered: number;
  /** For partial orders; received orders receive everything. */
  received?: number;
  orderedDaysAgo: number;
  receivedDaysAgo?: number;
  /** Relative to today. */
  expectedInDays: number;
  tracking?: string;
  notes?: string;
}

export const ORDERS: readonly OrderSpec[] = [
  { part: 'Return filter element, 10 micron', status: 'received', ordered: 12, orderedDaysAgo: 30, receivedDaysAgo: 24, expectedInDays: -25, tracking: '1Z8V41A20394817730' },
  { part: 'Hydraulic cylinder seal kit - 5 in bore', status: 'received', ordered: 4, orderedDaysAgo: 25, receivedDaysAgo: 19, expectedInDays: -20 },
  { part: 'Shredder hammer - heavy duty manganese', status: 'partial', ordered: 12, received: 2, orderedDaysAgo: 21, receivedDaysAgo: 10, expectedInDays: 7, notes: 'Balance backordered at the foundry.' },
  { part: 'Brake chamber 30/30', status: 'shipped', ordered: 2, orderedDaysAgo: 8, expectedInDays: 1, tracking: '1Z8V41A20395220561', notes: 'For roll-off #2.' },
  { part: 'Conveyor belt - 36 inch, 3-ply', status: 'ordered', ordered: 1, orderedDaysAgo: 2, expectedInDays: 16, notes: 'Replacement belt for C-8.' },
  { part: 'Belt fastener kit R5, 36 in', status: 'received', ordered: 6, orderedDaysAgo: 40, receivedDaysAgo: 35, expectedInDays: -36 },
  { part: 'Engine oil filter - CAT 966M', status: 'received', ordered: 10, orderedDaysAgo: 18, receivedDaysAgo: 15, expectedInDays: -15 },
  { part: 'SOLID GRATE', status: 'ordered', ordered: 2, orderedDaysAgo: 12, expectedInDays: 45, notes: 'Foundry lead time 8 weeks.' },
  { part: 'Load cell, 50,000 lb double-ended beam', status: 'cancelled', ordered: 1, orderedDaysAgo: 42, expectedInDays: -30, notes: 'Not needed: junction box was wet (see knowledge).' },
  { part: 'Grease cartridge EP2, case of 10', status: 'received', ordered: 5, orderedDaysAgo: 16, receivedDaysAgo: 13, expectedInDays: -13 },
  { part: 'Motor bearing 6309-2Z', status: 'shipped', ordered: 4, orderedDaysAgo: 5, expectedInDays: 2, tracking: '9612019 0348 4471' },
  { part: 'UPPER SIDE LINER / RIGHT HAND', status: 'partial', ordered: 4, received: 1, orderedDaysAgo: 50, receivedDaysAgo: 20, expectedInDays: 10 },
  { part: 'Compressor air filter element', status: 'ordered', ordered: 2, orderedDaysAgo: 3, expectedInDays: 4, notes: 'For the 4,000 h service.' },
];

// ---------------------------------------------------------------------------------------------
// Task templates: the jobs the crew makes again and again
// ---------------------------------------------------------------------------------------------

export interface TemplateSpec {
  title: string;
  category: TaskCategory;
  priority: 1 | 2 | 3 | 4;
  checklist: string;
  typicalParts?: string;
}

export const TEMPLATES: readonly TemplateSpec[] = [
  {
    title: 'Shredder hammer rotation',
    category: 'shredder',
    priority: 3,
    checklist: 'Lock out and tag out the shredder\nOpen the rotor doors\nRotate or replace worn hammers, in opposite pairs\nCheck hammer pins and pin protectors\nClose the doors and test run empty',
    typicalParts: 'Shredder hammers, hammer pins, pin protectors',
  },
  {
    title: 'Weekly grease: rotor bearings',
    category: 'lubrication',
    priority: 2,
    checklist: 'Grease both rotor bearings (4 shots each)\nCheck bearing temperatures\nWipe off old grease',
    typicalParts: 'EP2 grease cartridges',
  },
  {
    title: 'Hydraulic hose replacement',
    category: 'hydraulics',
    priority: 3,
    checklist: 'Relieve stored pressure\nReplace the hose and fittings\nTop up the hydraulic oil\nRun and check for leaks',
    typicalParts: 'Hydraulic hose, fittings, hydraulic oil',
  },
  {
    title: 'Conveyor belt tracking check',
    category: 'conveyor',
    priority: 2,
    checklist: 'Run the belt empty\nAdjust the tail pulley take-ups\nCheck the idlers and skirting',
  },
];

// ---------------------------------------------------------------------------------------------
// Preventive maintenance: by meter (due this far past the machine's meter now) or by calendar
// ---------------------------------------------------------------------------------------------

export interface PmSpec {
  machine: string;
  title: string;
  category: TaskCategory;
  priority: 1 | 2 | 3 | 4;
  checklist?: string;
  every: { meter: number; dueIn: number } | { days: number; dueInDays: number };
}

export const PM_SCHEDULES: readonly PmSpec[] = [
  { machine: 'CIMCO001', title: 'Hammer rotation', category: 'shredder', priority: 3, checklist: 'Weigh and pair hammers before hanging them', every: { meter: 300, dueIn: 40 } },
  { machine: 'CIMCO003', title: 'Grease the rotor bearings', category: 'lubrication', priority: 2, checklist: 'Four shots each side; check temperatures', every: { meter: 50, dueIn: 4 } },
  { machine: 'CIMCO001', title: 'Monthly safety walk-around', category: 'safety', priority: 2, checklist: 'Guards, e-stops, lock-out points, signage', every: { days: 30, dueInDays: 3 } },
];

// ---------------------------------------------------------------------------------------------
// Knowledge
// ---------------------------------------------------------------------------------------------

export interface KnowledgeSpec {
  machine?: string;
  category: TaskCategory;
  problem: string;
  cause: string;
  fix: string;
  author: Username;
  createdDaysAgo: number;
  /** Title of the task it was recorded from. */
  task?: string;
  /** Who found it helpful. */
  votes?: readonly Username[];
}

export const KNOWLEDGE: readonly KnowledgeSpec[] = [
  {
    machine: 'CIMCO003', category: 'shredder', author: 'tech', createdDaysAgo: 26, task: 'Replace worn hammers and pins', votes: ['tech2', 'supervisor', 'admin'],
    problem: 'Rotor vibration high after a hammer change',
    cause: 'Hammers hung without weighing; opposite positions differed by more than 5 lb.',
    fix: '1. Lock out the shredder and the HPU.\n2. Weigh every hammer and mark the weight on it.\n3. Pair opposite positions within 2 lb.\n4. Start empty and check vibration: under 4 mm/s is normal.',
  },
  {
    machine: 'CIMCO006', category: 'hydraulics', author: 'tech2', createdDaysAgo: 70, votes: ['tech', 'supervisor'],
    problem: 'HPU oil temperature alarm on summer afternoons',
    cause: 'Oil cooler fins packed with dust and fluff from the shredder.',
    fix: '1. Lock out the HPU.\n2. Blow the cooler out from the fan side with shop air, then wash with low-pressure water.\n3. Check the thermostatic bypass valve opens.\n4. Put cooler cleaning on the weekly PM.',
  },
  {
    category: 'conveyor', author: 'tech2', createdDaysAgo: 64,
    problem: 'Belt tracks off to one side at the tail pulley',
    cause: 'Material build-up on the tail pulley and two return idlers knocked out of square.',
    fix: 'Lock out. Clean the tail pulley, square the return idlers to the frame, then adjust tracking one idler at a time, running the belt a few minutes between moves.',
  },
  {
    machine: 'CIMCO007', category: 'shredder', author: 'supervisor', createdDaysAgo: 58,
    problem: 'Feed roll slow to lift, will not climb over heavy bundles',
    cause: 'Pilot filter clogged, pilot pressure down to 180 psi.',
    fix: 'Replace the pilot filter element, check pilot pressure is 350 psi at the test port, bleed air from the feed roll cylinders.',
  },
  {
    machine: 'CIMCO011', category: 'conveyor', author: 'tech2', createdDaysAgo: 49,
    problem: 'Drum magnet picking up less ferrous, iron in the residue',
    cause: 'Magnet too far from the burden after the splitter was moved; shell worn thin.',
    fix: 'Set the gap to 10 in from the belt, check shell thickness with the UT gauge, adjust the splitter after a test run with marked pieces.',
  },
  {
    machine: 'CIMCO022', category: 'electrical', author: 'tech', createdDaysAgo: 45, votes: ['tech2'],
    problem: 'Eddy current separator shell overheating',
    cause: 'A ferrous fragment trapped between the shell and the magnetic rotor.',
    fix: 'Stop and lock out immediately (the shell burns through fast). Pull the shell, remove the fragment, check the shell for heat damage, improve ferrous removal upstream.',
  },
  {
    machine: 'CIMCO040', category: 'hydraulics', author: 'tech', createdDaysAgo: 38, votes: ['tech2', 'supervisor'],
    problem: 'Manguera reventada en el brazo de la manipuladora',
    cause: 'La manguera rozaba contra la estructura; no tenía protector espiral.',
    fix: '1. Bajar la pluma al suelo y bloquear la máquina (LOTO).\n2. Cambiar por manguera de 4 espirales del mismo largo.\n3. Poner protector espiral y apretar las abrazaderas.\n4. Revisar las otras mangueras del brazo.',
  },
  {
    machine: 'CIMCO002', category: 'electrical', author: 'supervisor', createdDaysAgo: 80,
    problem: 'Main motor trips on overcurrent when starting',
    cause: 'Started with the mill loaded: material jammed between rotor and anvil after an e-stop.',
    fix: 'Never start loaded. Lock out, open the access door, clear the jam with the material handler, check the rotor turns by hand (barring device), then start empty.',
  },
  {
    machine: 'CIMCO071', category: 'electrical', author: 'tech2', createdDaysAgo: 40, task: 'Outbound scale: clear error E-31 after rain', votes: ['tech', 'storeroom', 'supervisor', 'admin'],
    problem: 'Truck scale reading drifts or shows E-31 after rain',
    cause: 'Water in the junction box: the cable gland was not tight.',
    fix: 'Open the junction box, dry it with a heat gun, replace the desiccant pack, reseal the gland, then check zero and span with test weights. Do not replace load cells before doing this.',
  },
  {
    machine: 'CIMCO050', category: 'mobile_equipment', author: 'tech2', createdDaysAgo: 33,
    problem: 'Loader DPF regeneration fails again and again',
    cause: 'Short idle cycles; the machine never got hot enough for a passive regen.',
    fix: 'Park and run a manual regeneration from the display. Check the DEF quality and the exhaust temperature sensor. Tell operators not to idle for long periods.',
  },
  {
    machine: 'CIMCO014', category: 'conveyor', author: 'tech', createdDaysAgo: 29,
    problem: 'La banda patina en la polea motriz',
    cause: 'Recubrimiento de la polea gastado y tensión baja en el contrapeso.',
    fix: 'Bloquear (LOTO). Revisar el recubrimiento; si está liso, cambiar tiras de cerámica. Ajustar el contrapeso y probar con carga.',
  },
  {
    machine: 'CIMCO003', category: 'shredder', author: 'tech', createdDaysAgo: 21,
    problem: 'Los martillos se gastan muy rápido',
    cause: 'Demasiado material no triturable (ejes, motores) en la alimentación y rejillas tapadas.',
    fix: 'Hablar con los operadores de la manipuladora para separar lo pesado. Limpiar las rejillas en cada cambio de turno. Rotar los martillos a tiempo.',
  },
  {
    machine: 'CIMCO008', category: 'lubrication', author: 'tech2', createdDaysAgo: 17,
    problem: 'Lube system fault light on rotor bearings',
    cause: 'Grease reservoir ran empty and pulled air into the line.',
    fix: 'Refill with EP2, bleed each line at the bearing end until grease comes out clean, run two manual cycles and check the fault clears.',
  },
  {
    machine: 'CIMCO001', category: 'safety', author: 'supervisor', createdDaysAgo: 85, votes: ['tech', 'tech2', 'storeroom'],
    problem: 'Stored hydraulic energy in the feed roll during lock-out',
    cause: 'The accumulator keeps pressure after the HPU is locked out; the feed roll can drop.',
    fix: 'Lower the feed roll to its rest, bleed the accumulator, verify 0 psi on the gauge, then apply your lock. Never work under a raised feed roll.',
  },
  {
    machine: 'CIMCO030', category: 'hydraulics', author: 'tech', createdDaysAgo: 12,
    problem: 'Baler ram drifts back under pressure',
    cause: 'Piston seal bypassing in the main cylinder.',
    fix: 'Deadhead test: block the ram, pressurise and watch the return line. If oil flows, replace the piston seals. Check the counterbalance valve first, it is quicker.',
  },
  {
    machine: 'CIMCO082', category: 'general', author: 'tech2', createdDaysAgo: 9,
    problem: 'Shop compressor shuts down on high discharge temperature',
    cause: 'Cooler blocked and oil low.',
    fix: 'Clean the cooler, top up with the right compressor oil, check the thermostatic valve. Keep the compressor room door open in summer.',
  },
];

// ---------------------------------------------------------------------------------------------
// Maintenance log texts
// ---------------------------------------------------------------------------------------------

type TextKind = 'inspection' | 'preventive' | 'note' | 'repair';
export type LogTexts = Record<TextKind, { en: readonly string[]; es: readonly string[] }>;

export const LOG_TEXTS: Record<MachineGroup, LogTexts> = {
  shredder: {
    inspection: {
      en: ['Pre-start walk-around. Grates clear, no cracked castings.', 'Checked hammer wear: about 30% left on row 3.', 'Anvil gap checked, within spec.', 'Bearing temps normal, no unusual noise.'],
      es: ['Revisión antes de arrancar. Rejillas limpias, sin piezas rotas.', 'Revisé desgaste de martillos, quedan como 30%.'],
    },
    preventive: {
      en: ['Greased feed roll bearings and pivot pins.', 'Weekly: cleaned HPU cooler, checked oil level.', 'Hardfaced anvil and breaker bar.'],
      es: ['Engrase semanal de rodamientos del rodillo.', 'Recargué soldadura dura en el yunque.'],
    },
    note: {
      en: ['Heavy load of tin today, more vibration than usual.', 'Operator reports knocking at start-up, went away after 5 min.', 'Ran 11 hours, good production.'],
      es: ['Mucho material pesado hoy.', 'El operador reporta ruido al arrancar.'],
    },
    repair: {
      en: ['Replaced cracked grate, torqued bolts.', 'Replaced leaking hose on feed roll cylinder.', 'Welded crack on the discharge chute liner.'],
      es: ['Cambié rejilla rota y apreté tornillos.', 'Cambié manguera que goteaba en el cilindro del rodillo.'],
    },
  },
  conveyor: {
    inspection: {
      en: ['Belt tracking OK, splices good.', 'Found two seized return idlers, tagged for replacement.', 'Checked scraper blade, half worn.'],
      es: ['Banda bien alineada, empalmes bien.', 'Dos rodillos de retorno trabados.'],
    },
    preventive: {
      en: ['Greased head and tail bearings, adjusted take-up.', 'Cleaned spillage under the belt.'],
      es: ['Engrasé chumaceras y ajusté el tensor.'],
    },
    note: {
      en: ['Belt slipping when wet in the morning.', 'Skirt rubber worn at the loading point.'],
      es: ['La banda patina cuando está mojada.'],
    },
    repair: {
      en: ['Replaced scraper blade and tensioned.', 'Replaced three return idlers.', 'Re-laced the belt splice.'],
      es: ['Cambié la cuchilla del raspador.', 'Cambié tres rodillos de retorno.'],
    },
  },
  separator: {
    inspection: {
      en: ['Shell clean, no ferrous build-up.', 'Splitter position checked, product clean.', 'Drive belt tension OK.'],
      es: ['Casco limpio, sin fierro pegado.'],
    },
    preventive: {
      en: ['Greased bearings, checked the belt for cuts.', 'Cleaned magnet face and checked the controller.'],
      es: ['Engrasé rodamientos y revisé la banda.'],
    },
    note: {
      en: ['Some aluminium showing in the residue pile.', 'Too much wire wrapping on the drum today.'],
      es: ['Se ve aluminio en el rechazo.'],
    },
    repair: {
      en: ['Replaced torn belt section and re-tracked.', 'Replaced drive belt.'],
      es: ['Cambié la banda de transmisión.'],
    },
  },
  mobile: {
    inspection: {
      en: ['Daily walk-around done, no leaks.', 'Tires and lights checked, horn and alarm work.', 'Grapple tines wearing, check next week.'],
      es: ['Revisión diaria, sin fugas.', 'Llantas y luces bien.'],
    },
    preventive: {
      en: ['Greased all points, topped up hydraulic oil.', '250 h service: engine oil and filters.', 'Changed air filter, blew out radiator.'],
      es: ['Engrasé todos los puntos.', 'Servicio de 250 horas: aceite y filtros.'],
    },
    note: {
      en: ['Operator says it is slow on the swing.', 'Small oil weep at the boom cylinder, monitoring.'],
      es: ['El operador dice que el giro está lento.'],
    },
    repair: {
      en: ['Replaced burst hose on the stick, added hose guard.', 'Replaced grapple tine.', 'Replaced broken mirror and work light.'],
      es: ['Cambié manguera reventada en el brazo.', 'Cambié un diente de la garra.'],
    },
  },
  baler: {
    inspection: {
      en: ['Blades checked, gap OK.', 'Hydraulic oil level and temp OK.'],
      es: ['Revisé cuchillas, holgura bien.'],
    },
    preventive: {
      en: ['Greased lid pivots and ram guides.', 'Changed hydraulic return filter.'],
      es: ['Engrasé pivotes de la tapa.'],
    },
    note: {
      en: ['Bales coming out light, check pressure setting.'],
      es: ['Las pacas salen ligeras.'],
    },
    repair: {
      en: ['Shimmed shear blades.', 'Replaced leaking fitting on the ram cylinder.'],
      es: ['Calcé las cuchillas de la cizalla.'],
    },
  },
  utility: {
    inspection: {
      en: ['Checked for leaks and noise, all normal.', 'Checked oil level and belts.'],
      es: ['Revisé fugas y ruido, todo normal.'],
    },
    preventive: {
      en: ['Monthly service done.', 'Cleaned filters, checked drains.'],
      es: ['Servicio mensual hecho.'],
    },
    note: {
      en: ['Running a little hot in the afternoon.', 'Calibration due next month.'],
      es: ['Se calienta un poco en la tarde.'],
    },
    repair: {
      en: ['Replaced seal and gasket.', 'Replaced pressure switch.'],
      es: ['Cambié sello y empaque.'],
    },
  },
};
