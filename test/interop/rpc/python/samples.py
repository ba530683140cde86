"""The Python side's own copy of the interop samples (test/interop/rpc/samples.ts has ours).

Both sides build the same values independently, each in its own language, from the same IDL: a
receiver compares what arrived with its own copy (roundTrip on a server, the echoed value on a
client), so an encoding bug shows up as a difference instead of cancelling out in an echo.
Import after `thrift --gen py`'s output directory is on sys.path.
"""

from interop.ttypes import Color, Containers, Everything, Point, Primitives, Shape

I64_MIN = -2 ** 63
I64_MAX = 2 ** 63 - 1
I32_MIN = -2 ** 31
I32_MAX = 2 ** 31 - 1
ASTRAL = 'emoji \U0001F600, math \U0001D538, CJK \U0002070E, combining e\u0301, nul \x00, bidi \u202e'
ALL_BYTES = bytes(range(256))


def primitives():
    return Primitives(aBool=True, aByte=-128, anI16=-32768, anI32=I32_MAX, anI64=I64_MIN,
                      aDouble=-1.5e-300, aString=ASTRAL, aBinary=ALL_BYTES)


def containers():
    return Containers(
        ints=[1, -1, I32_MAX, I32_MIN],
        names={'x', 'y', ASTRAL},
        counts={'a': 1, 'b': -1, 'max': I64_MAX},
        grid=[[1, 2], [], [-32768, 32767]],
        pointsByName={'line': [Point(x=0, y=0), Point(x=1, y=1)], 'empty': []},
        bigs={I64_MAX, I64_MIN, 0},
        deep={1: {'s': {-128, 127}, 'empty': set()}, -1: {}},
        shapes=[Shape(radius=2.5), Shape(label='l'), Shape(raw=b'\x00\xff'), Shape(point=Point(x=5, y=6)),
                Shape(polygon=[])],
        tagsByColor={Color.RED: ['r'], Color.BLUE: [], Color.INFRARED: ['ir', '']},
        blobs=[b'', b'\x01\x02\x03'],
        weights={1: 0.5, -2 ** 40: -2.75},
        flags=[True, False, True],
        records=[primitives(), Primitives()],
    )


def empty_containers():
    return Containers(ints=[], names=set(), counts={}, grid=[], pointsByName={}, bigs=set(), deep={},
                      shapes=[], tagsByColor={}, blobs=[], weights={}, flags=[], records=[])


def everything_full():
    return Everything(
        id=1234567890123, nickname='ada', greeting='gr\u00fc\u00dfe, \u4e16\u754c', count=-7,
        color=Color.INFRARED, tags=['a', 'b', ''], directory={'root': 0, 'max': I64_MAX, 'min': I64_MIN},
        primitives=primitives(), containers=containers(),
        shape=Shape(polygon=[Point(x=1, y=2), Point(x=-3, y=4)]),
        ratios=[0.1, -0.0, 1e300, float('inf'), float('-inf'), 5e-324], big=I64_MIN)


def everything_minimal():
    # Only the required field: Thrift's constructor fills in the IDL defaults, as ours does.
    return Everything(id=1)


def everything_empty():
    return Everything(id=0, nickname='', greeting='', count=0, color=Color.RED, tags=[], directory={},
                      primitives=Primitives(), containers=empty_containers(), shape=Shape(label=''),
                      ratios=[], big=0)


SAMPLES = {
    'full': everything_full,
    'minimal': everything_minimal,
    'empty': everything_empty,
}

SHAPES = [
    Shape(point=Point(x=I32_MIN, y=I32_MAX)),
    Shape(radius=-0.5),
    Shape(label=ASTRAL),
    Shape(polygon=[Point(x=1, y=1), Point(x=2, y=3)]),
    Shape(raw=b'\x00\x01'),
]


def describe(a, b, c, d, e):
    """What Interop.describe returns (the TypeScript handler formats the same way)."""
    return '%d|%d|%s|%d|%d,%d' % (a, b, c, d, e.x, e.y)


def difference(actual, expected, path=''):
    """None when equal; otherwise where the values first differ, e.g. '.containers.ints[2]: 1 != 2'."""
    if actual == expected and type(actual) is type(expected):
        return None
    if hasattr(actual, 'thrift_spec') and type(actual) is type(expected):
        for name in vars(expected):
            inner = difference(getattr(actual, name), getattr(expected, name), '%s.%s' % (path, name))
            if inner is not None:
                return inner
    elif isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        for i, (a, e) in enumerate(zip(actual, expected)):
            inner = difference(a, e, '%s[%d]' % (path, i))
            if inner is not None:
                return inner
    elif isinstance(actual, dict) and isinstance(expected, dict) and actual.keys() == expected.keys():
        for key in expected:
            inner = difference(actual[key], expected[key], '%s[%r]' % (path, key))
            if inner is not None:
                return inner
    text = '%s: got %r, expected %r' % (path or 'value', actual, expected)
    return text if len(text) < 400 else text[:400] + '...'
