"""Writes small BMP files with Pillow (an outside encoder) plus their expected RGB pixels, for
test/data-import/bmp.test.ts. Run with /usr/bin/python3 (Debian's python3-pil)."""
import json
from pathlib import Path
from PIL import Image

out = Path(__file__).resolve().parent.parent / 'test' / 'data-import' / 'bmp-fixtures'
out.mkdir(parents=True, exist_ok=True)
w, h = 5, 3
rgb = Image.new('RGB', (w, h))
rgb.putdata([((x * 50) % 256, (y * 80) % 256, (x * y * 30 + 7) % 256) for y in range(h) for x in range(w)])
rgb.save(out / 'rgb24.bmp')
pal = rgb.convert('P', palette=Image.ADAPTIVE, colors=16)
pal.save(out / 'pal8.bmp')
rgba = rgb.convert('RGBA')
rgba.save(out / 'rgba32.bmp')
expected = {
    'width': w, 'height': h,
    'rgb24.bmp': [c for px in rgb.getdata() for c in px],
    'pal8.bmp': [c for px in pal.convert('RGB').getdata() for c in px],
    'rgba32.bmp': [c for px in rgba.convert('RGB').getdata() for c in px],
}
(out / 'bmp-expected.json').write_text(json.dumps(expected))
