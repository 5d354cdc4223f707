"""How often the text reader reads a file's encoding right, on a test set of tables built here.

Run it from the repository root::

    python benchmarks/text_encodings.py

The test set is tables as engineers upload them, in 17 languages, each written in the encodings
a spreadsheet program or an older system writes for it: Windows-1252 and MacRoman (Western
Europe), Windows-1250 (Central Europe), Windows-1251 (Cyrillic), Shift_JIS (Japanese), GBK
(Chinese, simplified: GB2312 is its common part), Big5 (Chinese, traditional) and EUC-KR
(Korean). From a fixed seed, every table is made in four shapes, from a header of a few words
above numbers to rows of remarks in whole sentences, so that some files hold only a dozen
letters beyond ASCII. A file is read right when its text, decoded as the reader says, is the text
it was written from. ``tests/demo/test_text_encoding.py`` holds the reader to its figures here.

It prints, per encoding, the share read right by the reader (``text_encoding.detect_encoding``)
and, when it is installed, by charset-normalizer (``from_bytes(...).best()``), with the time each
takes per file. The reader's own check is kept where it does better.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:  # run as a script: the app's packages are found from here
    sys.path.insert(0, str(REPOSITORY))

# Words and sentences per language, as a table of measurements would hold them: column names,
# names of parts and places, and remarks. The code pages each language is written in.
LANGUAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "French": (
        ("Élément", "Longueur", "Température", "Résistance", "Épaisseur", "Charge", "Date"),
        ("Poutre béton armé", "Dalle", "Fondation", "Mur porteur", "Pont de la Défense"),
        ("Fissure légère à l'angle", "Contrôle effectué", "À reprendre après séchage"),
    ),
    "Spanish": (
        ("Descripción", "Longitud", "Presión", "Año", "Señal", "Tensión", "Resistencia"),
        ("Hormigón armado", "Viga", "Losa", "Cimentación", "Puente de Triana"),
        ("Pequeña fisura en la esquina", "Revisión pendiente", "Ensayo según norma"),
    ),
    "German": (
        ("Länge", "Größe", "Prüfung", "Festigkeit", "Bemerkung", "Höhe", "Lastfall"),
        ("Stahlbetonträger", "Decke", "Stütze", "Brücke über die Mühle", "Fundament"),
        ("Riss an der Oberfläche", "Prüfung bestanden", "Nachmessen nötig, Maße prüfen"),
    ),
    "Portuguese": (
        ("Comprimento", "Observação", "Pressão", "Espessura", "Resistência", "Ação"),
        ("Concreto armado", "Viga", "Laje", "Fundação", "Ponte São João"),
        ("Fissura na ligação", "Inspeção concluída", "Medição não conforme"),
    ),
    "Italian": (
        ("Lunghezza", "Città", "Qualità", "Profondità", "Resistenza", "Unità"),
        ("Trave in cemento armato", "Solaio", "Pilastro", "Ponte di Città"),
        ("Crepa più grande del previsto", "Verifica già eseguita", "Perché è umido"),
    ),
    "Dutch": (
        ("Lengte", "Breedte", "Belasting", "Opmerking", "Sterkte", "Coëfficiënt"),
        ("Ligger", "Vloer", "Brug over de Maas", "Fundering", "Paal één"),
        ("Scheur in de hoek", "Geïnspecteerd", "Controle na één week"),
    ),
    "Swedish": (
        ("Längd", "Bredd", "Hållfasthet", "Anmärkning", "Höjd", "Tjocklek"),
        ("Balk", "Bjälklag", "Bro över ån", "Grund", "Pelare"),
        ("Spricka vid fästet", "Kontroll utförd", "Mät om efter härdning"),
    ),
    "Polish": (
        ("Długość", "Szerokość", "Wytrzymałość", "Uwagi", "Obciążenie", "Grubość"),
        ("Belka żelbetowa", "Strop", "Słup", "Most w Łodzi", "Fundament"),
        ("Rysa przy podporze", "Badanie zakończone", "Pomiar należy powtórzyć"),
    ),
    "Czech": (
        ("Délka", "Šířka", "Zkouška", "Poznámka", "Pevnost", "Zatížení", "Tloušťka"),
        ("Železobetonový nosník", "Strop", "Sloup", "Most přes řeku", "Základ"),
        ("Trhlina u podpory", "Zkouška proběhla", "Měření je nutné opakovat"),
    ),
    "Hungarian": (
        ("Hosszúság", "Szélesség", "Szilárdság", "Megjegyzés", "Terhelés", "Vastagság"),
        ("Vasbeton gerenda", "Födém", "Oszlop", "Híd a folyón", "Alapozás"),
        ("Repedés a támasznál", "Vizsgálat kész", "Mérés megismétlése szükséges"),
    ),
    "Russian": (
        ("Длина", "Ширина", "Нагрузка", "Прочность", "Примечание", "Толщина", "Дата"),
        ("Балка перекрытия", "Плита", "Колонна", "Мост через реку", "Фундамент"),
        ("Трещина у опоры", "Испытание проведено", "Повторить измерение"),
    ),
    "Ukrainian": (
        ("Довжина", "Ширина", "Навантаження", "Міцність", "Примітка", "Товщина"),
        ("Балка перекриття", "Плита", "Колона", "Міст через річку", "Фундамент"),
        ("Тріщина біля опори", "Випробування проведено", "Повторити вимірювання"),
    ),
    "Bulgarian": (
        ("Дължина", "Ширина", "Натоварване", "Якост", "Забележка", "Дебелина"),
        ("Греда", "Плоча", "Колона", "Мост над реката", "Основа"),
        ("Пукнатина при опората", "Изпитването е направено", "Да се повтори"),
    ),
    "Japanese": (
        ("長さ", "幅", "高さ", "荷重", "強度", "温度", "備考", "測定日", "設計値", "実測値"),
        ("鉄筋コンクリート梁", "床版", "柱", "基礎", "東京橋", "大阪工場", "試験体"),
        ("表面にひび割れが見られる", "養生期間は二十八日とする", "測定値は設計値を満たしている"),
    ),
    "Chinese (simplified)": (
        ("长度", "宽度", "高度", "荷载", "强度", "温度", "备注", "测量日期", "设计值", "实测值"),
        ("钢筋混凝土梁", "楼板", "柱", "基础", "北京大桥", "上海工厂", "试件"),
        ("表面出现细小裂缝", "养护时间为二十八天", "测量结果满足设计要求"),
    ),
    "Chinese (traditional)": (
        ("長度", "寬度", "高度", "荷載", "強度", "溫度", "備註", "測量日期", "設計值", "實測值"),
        ("鋼筋混凝土樑", "樓板", "柱", "基礎", "台北大橋", "高雄工廠", "試件"),
        ("表面出現細小裂縫", "養護時間為二十八天", "測量結果符合設計要求"),
    ),
    "Korean": (
        ("길이", "폭", "높이", "하중", "강도", "온도", "비고", "측정일", "설계값", "실측값"),
        ("철근콘크리트 보", "슬래브", "기둥", "기초", "서울 대교", "부산 공장", "시험체"),
        ("표면에 미세한 균열이 있음", "양생 기간은 28일로 한다", "측정값이 설계 기준을 만족함"),
    ),
}
ENCODINGS = {
    "windows-1252": ("French", "Spanish", "German", "Portuguese", "Italian", "Dutch", "Swedish"),
    "mac_roman": ("French", "German", "Spanish"),
    "windows-1250": ("Polish", "Czech", "Hungarian"),
    "windows-1251": ("Russian", "Ukrainian", "Bulgarian"),
    "shift_jis": ("Japanese",),
    "gbk": ("Chinese (simplified)",),
    "big5": ("Chinese (traditional)",),
    "euc_kr": ("Korean",),
}
SHAPES = ("header only", "names", "remarks", "everything")
TABLES_PER_SHAPE = 25
SEED = 18


@dataclass(frozen=True)
class Sample:
    encoding: str  # the codec it was written in
    language: str
    shape: str
    text: str

    @property
    def data(self) -> bytes:
        return self.text.encode(self.encoding)


def samples() -> Iterator[Sample]:
    """The test set: every language in each of its encodings, each shape several times."""
    rng = random.Random(SEED)
    for encoding, languages in ENCODINGS.items():
        for language in languages:
            for shape in SHAPES:
                for _ in range(TABLES_PER_SHAPE):
                    yield Sample(encoding, language, shape, _table(rng, language, shape))


def _table(rng: random.Random, language: str, shape: str) -> str:
    """A small table: three columns named in the language, then numbers, and per the shape a
    column of names (its own words) and one of remarks (its sentences), some rows empty."""
    names, things, remarks = LANGUAGES[language]
    header = rng.sample(names, 3) + ["ID"]
    with_things = shape in ("names", "everything")
    with_remarks = shape in ("remarks", "everything")
    if with_things:
        header.append(rng.choice(names))
    if with_remarks:
        header.append(rng.choice(names))
    lines = [",".join(header)]
    for row in range(rng.randint(3, 30)):
        cells = [f"{rng.uniform(0, 500):.2f}" for _ in range(3)] + [f"A{row + 1}"]
        if with_things:
            cells.append(rng.choice(things))
        if with_remarks:
            cells.append(rng.choice(remarks) if rng.random() < 0.4 else "")
        lines.append(",".join(f'"{cell}"' if "," in cell else cell for cell in cells))
    return "\r\n".join(lines) + "\r\n"


def reads_right(sample: Sample, encoding: str | None) -> bool:
    if encoding is None:
        return False
    try:
        return sample.data.decode(encoding) == sample.text
    except (LookupError, UnicodeDecodeError):
        return False


def ours(data: bytes) -> str | None:
    from app_files.uploaded import UploadError
    from tablestats.readers.text_encoding import detect_encoding

    try:
        return detect_encoding(data, "table.csv")
    except UploadError:
        return None  # refused: not read right, though not read wrong either


def charset_normalizer(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return None if best is None else best.encoding


def measure(detector: Callable[[bytes], str | None]) -> dict[str, tuple[int, int, float]]:
    """Per encoding: files read right, files, and seconds per file."""
    results: dict[str, tuple[int, int, float]] = {}
    for encoding in ENCODINGS:
        right, total, seconds = 0, 0, 0.0
        for sample in samples():
            if sample.encoding != encoding:
                continue
            data = sample.data
            start = time.perf_counter()
            detected = detector(data)
            seconds += time.perf_counter() - start
            right += reads_right(sample, detected)
            total += 1
        results[encoding] = (right, total, seconds / total)
    return results


def main() -> None:
    detectors: dict[str, Callable[[bytes], str | None]] = {"ours": ours}
    try:
        import charset_normalizer as _  # noqa: F401

        detectors["charset-normalizer"] = charset_normalizer
    except ImportError:
        print("(charset-normalizer is not installed: pip install charset-normalizer)")
    results = {name: measure(detector) for name, detector in detectors.items()}
    header = f"{'Encoding':<14}{'Files':>7}" + "".join(
        f"{name + ' right':>26}{'ms/file':>9}" for name in detectors
    )
    print(header)
    print("-" * len(header))
    totals = {name: [0, 0] for name in detectors}
    for encoding in ENCODINGS:
        line = f"{encoding:<14}{results['ours'][encoding][1]:>7}"
        for name in detectors:
            right, total, seconds = results[name][encoding]
            totals[name][0] += right
            totals[name][1] += total
            line += f"{right:>17} ({right / total:>4.0%}){seconds * 1000:>9.2f}"
        print(line)
    line = f"{'all':<14}{totals['ours'][1]:>7}"
    for name in detectors:
        right, total = totals[name]
        line += f"{right:>17} ({right / total:>4.0%}){'':>9}"
    print(line)


if __name__ == "__main__":
    main()
