"""Jupyter notebooks: checked cell by cell, fixed in place with their outputs, read or refused clearly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from helpers import BAD_MODEL, initlint

from initlint.config import Settings
from initlint.engine import check_paths
from initlint.notebook import check_notebook, join_cells, read_notebook

# The model of BAD_MODEL split over cells: imports (with IPython lines) in cell 2, the model in cell 3,
# where line 6 column 9 is `nn.init.xavier_uniform_(self.fc.weight)` (IL101).
IMPORTS = "%matplotlib inline\nimport torch.nn as nn\n!pip list | grep torch"
MODEL = BAD_MODEL.split("\n\n\n", 1)[1].strip("\n")
BAD_LINE = 6


def notebook(*cells: Any, language: str = "python") -> Any:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "k", "display_name": "K", "language": language}
    for cell in cells:
        nb.cells.append(cell if not isinstance(cell, str) else nbformat.v4.new_code_cell(cell))
    return nb


def model_notebook() -> Any:
    stream = nbformat.v4.new_output("stream", name="stdout", text="done\n")
    image = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    return notebook(nbformat.v4.new_markdown_cell("# A model\nWith **text**."),
                    nbformat.v4.new_code_cell(IMPORTS, outputs=[stream], execution_count=1),
                    nbformat.v4.new_code_cell(MODEL, outputs=[image], execution_count=2),
                    nbformat.v4.new_code_cell("%%time\nnet = Net()\nnet?", execution_count=3))


def write(path: Path, nb: Any) -> Path:
    nbformat.write(nb, str(path))
    return path


def test_bad_init_in_the_third_cell_is_reported_at_that_cell_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", model_notebook())
    assert MODEL.splitlines()[BAD_LINE - 1].strip() == "nn.init.xavier_uniform_(self.fc.weight)"
    result = initlint("check", "--output-format", "concise", str(path))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0].startswith(f"{path}:cell 3:{BAD_LINE}:9: IL101 ")
    [finding] = json.loads(initlint("check", "--output-format", "json", str(path)).stdout)
    assert (finding["cell"], finding["location"], finding["end_location"]) == \
        (3, {"row": BAD_LINE, "column": 9}, {"row": BAD_LINE, "column": 48})
    # the layer's construction, a secondary span, is told by cell too
    [built] = finding["related"]
    assert (built["cell"], built["location"]["row"], built["label"]) == (3, 4, "`fc` (Linear(256, 256)) is built here")
    text = initlint("check", str(path)).stdout.splitlines()
    assert "4 |         self.fc = nn.Linear(256, 256)" in text and f"{BAD_LINE} |         " \
        "nn.init.xavier_uniform_(self.fc.weight)" in text


def test_fix_repairs_the_cell_and_keeps_everything_else(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", model_notebook())
    before = json.loads(path.read_text(encoding="utf-8"))
    result = initlint("check", "--fix", "--unsafe-fixes", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Fixed 1 finding." in result.stdout
    fixed = nbformat.read(str(path), as_version=4)
    nbformat.validate(fixed)
    assert 'nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")' in fixed.cells[2].source
    after = json.loads(path.read_text(encoding="utf-8"))
    expected = copy.deepcopy(before)
    expected["cells"][2]["source"] = fixed.cells[2].source.splitlines(True)
    assert after == expected  # outputs, metadata, execution counts and the other cells as they were
    assert after["cells"][2]["outputs"] == before["cells"][2]["outputs"]
    assert initlint("check", str(path)).returncode == 0


def test_fix_keeps_the_files_own_layout(tmp_path: Path) -> None:
    """Indent 2, sorted-or-not keys as they were, non-ASCII text, one-string sources, no trailing newline:
    only the fixed line of the file changes."""
    nb = model_notebook()
    nb.cells[0].source = "# Modèle — ünïcode"
    data = json.loads(nbformat.writes(nb))
    data["cells"][2]["source"] = MODEL  # one string rather than a list of lines
    data = {"metadata": data["metadata"], "cells": data["cells"], "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(data, indent=2, ensure_ascii=False)
    path = tmp_path / "nb.ipynb"
    path.write_text(text, encoding="utf-8")
    assert initlint("check", "--fix", "--unsafe-fixes", str(path)).returncode == 0
    new = path.read_text(encoding="utf-8")
    old_lines, new_lines = text.split("\n"), new.split("\n")
    assert len(old_lines) == len(new_lines) and not new.endswith("\n")
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(changed) == 1 and '"source": "class Net' in new_lines[changed[0]]
    assert "kaiming_uniform_" in json.loads(new)["cells"][2]["source"]


def test_no_fix_round_trip_is_byte_identical(tmp_path: Path) -> None:
    nb = model_notebook()
    nb.cells[2].source = nb.cells[2].source.replace("xavier_uniform_", "kaiming_uniform_")
    path = write(tmp_path / "nb.ipynb", nb)
    original = path.read_bytes()
    for args in (("--fix", "--unsafe-fixes"), ("--add-noqa",)):
        assert initlint("check", *args, str(path)).returncode == 0
        assert path.read_bytes() == original
    parsed = read_notebook(original)
    assert parsed.render([cell.text for cell in parsed.cells]) == original.decode("utf-8")


def test_magics_do_not_break_parsing() -> None:
    cells = [
        IMPORTS,
        "x = !ls\nfiles = %sx ls\nnn.Linear?\n??nn.init\n%time y = 1\n%%capture\n",
        "%%bash\nfor f in *; do echo $f; done\nif [ -n x ]; then echo 'it''s'; fi",
        'TEMPLATE = """\n%d layers\n!not a shell line\n"""\nfor i in range(2):\n    %time pass\n',
        "%%time\n" + MODEL,
    ]
    nb = notebook(*cells)
    findings = check_notebook(nbformat.writes(nb).encode(), "nb.ipynb", Settings())
    assert [(f.code, f.cell, f.row, f.column) for f in findings] == [("IL101", 5, BAD_LINE + 1, 9)]
    joined = join_cells(cells)
    compile(joined.text, "nb.ipynb", "exec")  # every IPython line is masked, the rest parses
    assert "%d layers\n!not a shell line\n" in joined.text  # a string's lines are not IPython syntax
    assert joined.split(joined.text) == cells  # and every masked line comes back


def test_suppression_comments_in_cells(tmp_path: Path) -> None:
    suppressed = MODEL.replace("(self.fc.weight)", "(self.fc.weight)  # noqa: IL101")
    nb = notebook(IMPORTS, suppressed, "x = 1  # noqa: IL402")
    findings = check_notebook(nbformat.writes(nb).encode(), "nb.ipynb", Settings())
    assert [(f.code, f.cell, f.row) for f in findings] == [("IL002", 3, 1)]


def test_add_noqa_writes_into_the_cell(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", model_notebook())
    before = json.loads(path.read_text(encoding="utf-8"))
    result = initlint("check", "--add-noqa", str(path))
    assert result.returncode == 0 and "Added 1 noqa directive to 1 file." in result.stdout, result.stdout
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["cells"][2]["source"][BAD_LINE - 1].rstrip("\n").endswith("(self.fc.weight)  # noqa: IL101")
    assert after["cells"][1] == before["cells"][1] and after["cells"][2]["outputs"] == before["cells"][2]["outputs"]
    assert initlint("check", str(path)).returncode == 0


@pytest.mark.parametrize(("content", "message", "where"), [
    (b'{"cells": [}', "not valid JSON (Expecting value)", "1:12"),
    (b'{"nbformat": 3, "worksheets": []}', "not an nbformat 4 notebook: `nbformat` is 3 (convert it", "1:1"),
    (b'[1, 2]', "not a Jupyter notebook", "1:1"),
    (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7}]}', "the `source` of cell 1 is not text", "1:1"),
    (b'\xff\xfe{}', "not UTF-8", "1:1"),
])
def test_invalid_notebook_is_il001(tmp_path: Path, content: bytes, message: str, where: str) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    result = initlint("check", str(path))
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}:{where}: IL001 "), first
    [item] = json.loads(initlint("check", "--output-format", "json", str(path)).stdout)
    assert message in item["message"], item
    assert initlint("check", "--fix", str(path)).returncode == 1 and path.read_bytes() == content


def test_other_kernels_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "r.ipynb", notebook(BAD_MODEL, language="R"))
    write(tmp_path / "py.ipynb", notebook(BAD_MODEL))
    findings, count = check_paths([str(tmp_path)], Settings(root=str(tmp_path)))
    assert count == 2 and [Path(f.filename).name for f in findings] == ["py.ipynb"]


def test_notebooks_are_found_in_directories_and_follow_include_and_exclude(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "nb.ipynb", model_notebook())
    (tmp_path / "model.py").write_text(BAD_MODEL, encoding="utf-8")
    result = initlint("check", str(tmp_path))
    assert "nb.ipynb:cell 3:" in result.stdout and "in 2 files" in result.stdout, result.stdout
    for table in ('include = ["*.py"]', 'extend-exclude = ["*.ipynb"]'):
        (tmp_path / "pyproject.toml").write_text(f"[tool.initlint]\n{table}\n", encoding="utf-8")
        result = initlint("check", ".", cwd=tmp_path)
        assert "ipynb" not in result.stdout and "in 1 file " in result.stdout, (table, result.stdout)


def test_sarif_and_github_point_at_the_notebooks_own_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", model_notebook())
    lines = path.read_text(encoding="utf-8").split("\n")
    [result] = json.loads(initlint("check", "--output-format", "sarif", str(path)).stdout)["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    line = lines[region["startLine"] - 1]
    assert line[region["startColumn"] - 1:].startswith("nn.init.xavier_uniform_(self.fc.weight)")
    assert {key: result["properties"][key] for key in ("cell", "cellLine", "cellColumn")} == {
        "cell": 3, "cellLine": BAD_LINE, "cellColumn": 9}
    assert result["message"]["text"].startswith(f"cell 3, line {BAD_LINE}: ")
    github = initlint("check", "--output-format", "github", str(path)).stdout
    assert f"line={region['startLine']},col={region['startColumn']}," in github and ":cell 3:6:9: IL101" in github


def test_a_notebook_on_standard_input(tmp_path: Path) -> None:
    text = nbformat.writes(model_notebook())
    result = initlint("check", "--stdin-filename", "nb.ipynb", "-", stdin=text)
    assert result.returncode == 1 and result.stdout.startswith(f"nb.ipynb:cell 3:{BAD_LINE}:9: IL101 "), result.stdout


def test_a_cell_line_with_a_form_feed_or_line_separator_is_one_line(tmp_path: Path) -> None:
    """Python breaks lines at \\n, \\r\\n and \\r only: a comment holding \\f or U+2028 stays one line in the
    diff and in the rewritten cell (str.splitlines would cut it in two and shift every later line)."""
    odd = "        # kept as is:\x0c\u2028 one line for Python"
    cell = MODEL.replace("        self.act = nn.ReLU()", "        self.act = nn.ReLU()\n" + odd)
    path = write(tmp_path / "nb.ipynb", notebook(IMPORTS, cell))
    result = initlint("check", "--diff", "--unsafe-fixes", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f" {odd}\n" in result.stdout  # a context line of the diff, whole
    assert initlint("check", "--fix", "--unsafe-fixes", str(path)).returncode == 0
    fixed = nbformat.read(str(path), as_version=4).cells[1].source
    assert fixed == cell.replace("nn.init.xavier_uniform_(self.fc.weight)",
                                 'nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")')


def test_fix_never_writes_over_an_edit_made_while_it_worked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import initlint.notebook as nb_module
    from initlint.engine import fix_file

    path = write(tmp_path / "nb.ipynb", model_notebook())
    real = nb_module.fix_source_codes

    def edit_meanwhile(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        path.write_text(path.read_text(encoding="utf-8").replace("# A model", "# Edited"), encoding="utf-8")
        return out

    monkeypatch.setattr(nb_module, "fix_source_codes", edit_meanwhile)
    result = fix_file(str(path), Settings(), unsafe=True, write=True)
    assert result.problem is not None and "changed while initlint was working" in result.problem
    text = path.read_text(encoding="utf-8")
    assert "# Edited" in text and "xavier_uniform_" in text  # the edit is kept, nothing of ours written
