"""Write the built-in examples of published data sets from shared/reference/ (rerunnable).

    .venv/bin/python tools/make_examples.py /work/shared/reference

Each example is read with accord's own readers (the one-issue BDM table, KTAB's CSV layout,
Decide's #A/#P/#M/#D format), given the scale and meaning the reference README documents,
and written as YAML to src/accord/examples/ with its provenance at the top of the file and in
``sources``. The reference files themselves are not modified.
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

from accord.io import load_any
from accord.scenario import validate_data

OUT = Path(__file__).resolve().parents[1] / "src" / "accord" / "examples"


@dataclass(frozen=True)
class Spec:
    name: str
    file: str  # under shared/reference/
    title: str
    origin: str  # where the data come from (repository, path, paper)
    notes: str  # scales as stored and what accord did with them
    salience_scale: float = 100.0
    scale: tuple[float, float] | None = None  # the documented issue scale (one-issue tables)
    question: str | None = None
    label: str | None = None


BDM = "bdm/"
KTAB = ("KTAB (KAPSARC Toolkit for Behavioral Analysis), MIT licence: repository "
        "lsyaseen/KTAB (fork of KAPSARC/KTAB) @ 3b5b063, examples/smp/doc/{f}")
DECIDE = ("foarsitter/decide-exchange-model @ 51dee664, data/input/{f} (the data file only; "
          "the repository is GPL-3.0)")
SPECS = [
    Spec("argentina", BDM + "argentina.csv", "Argentina 2015-16 (Bueno de Mesquita model data)",
         "decisionmechanics/eum Simulator/Data/argentina.txt (columns x,c,s)",
         "Positions 0-100; saliences stored on 0-1, multiplied by 100 here; capabilities are "
         "shares. The source does not describe the issue.", 1.0, (0, 100)),
    Spec("brexit", BDM + "brexit.csv", "Brexit (toy data)",
         "burakbayramli/classnotes algs/mesquita/brexit.csv",
         "Positions 1-10 (10 = remain); saliences 0-100; capabilities 0.1-1. Toy data: the "
         "note author's own guesses.", 100.0, (1, 10), "Does the UK remain in the EU?",
         "1 leave ... 10 remain"),
    Spec("china", BDM + "china.csv", "China (Bueno de Mesquita model data)",
         "dmasad/BDM_DecisionModel_Replication ChinaData.csv ('Resources' as capability)",
         "Positions 0-100, capabilities 0-100, saliences 0-100. The source does not describe "
         "the issue (apparently Chinese leadership and reform politics).", 100.0, (0, 100)),
    Spec("columbus", BDM + "columbus.csv", "Columbus (The Predictioneer's Game illustration)",
         "burakbayramli/classnotes algs/algs_105_mesquita/columbus.csv",
         "Positions 0-100, capabilities 20-100, saliences 0-100; presumably the illustration "
         "in Bueno de Mesquita's The Predictioneer's Game.", 100.0, (0, 100)),
    Spec("greece-2015", BDM + "greece2015.csv", "Greece and its creditors, July 2015",
         "muratk3n/thirdwave en/2015/07/mesquita-game-theory.md (blog post; 'Clout' as "
         "capability)",
         "Positions 0-100: 0 debt relief, no reform; 30 debt relief, half reform; 60 debt "
         "relief, full reform; 80 debt relief soon, full reform; 100 no debt relief, full "
         "reform. Capabilities and saliences 0-100. The post reports mean voter 82, weighted "
         "mode 100.", 100.0, (0, 100), "What deal do Greece and its creditors strike?",
         "0 debt relief, no reform ... 100 no debt relief, full reform"),
    Spec("honduras", BDM + "honduras.csv", "Honduras-Nicaragua crisis",
         "dmasad/BDM_DecisionModel_Replication HondurasCrisisData.csv ('Resources' as "
         "capability)",
         "Positions 0-1; saliences stored on 0-1, multiplied by 100 here; capabilities very "
         "small (shares).", 1.0, (0, 1)),
    Spec("iran-2013", BDM + "iran2013.csv", "Iranian presidential election 2013",
         "decisionmechanics/eum Simulator/Data/iranian-election.txt (columns x,c,s)",
         "Positions 1-10; saliences stored on 0-1, multiplied by 100 here; capabilities 0-1. "
         "A blogger's coding; the winner was Rouhani ('Ruhani', position 8).", 1.0, (1, 10),
         "Who wins the 2013 Iranian presidential election?"),
    Spec("mugabe", BDM + "mugabe.csv", "Zimbabwe: Mugabe and the opposition",
         "burakbayramli/classnotes algs/algs_105_mesquita/mugabe-full.csv",
         "Positions and saliences 0-100; capabilities 7.5-338.6. The source's flexibility, "
         "veto and fixed_position columns (inputs of Bueno de Mesquita's 2011 model, which "
         "accord does not implement) are left out.", 100.0, (0, 100)),
    Spec("sultan", BDM + "sultan.csv", "Sultan data set",
         "jmckib/bdm-scholz-expected-utility-model Sultan.csv",
         "Positions 12.85-14.25 (meaning not documented; the scale is the range held); "
         "saliences stored on 0-1, multiplied by 100 here; capabilities 0.45-1.05. "
         "Provenance unverified ('Sultan dataset (1997?)').", 1.0),
    Spec("uk-emu-labour", BDM + "uk_emu_labour.csv", "British EMU policy under Labour",
         "burakbayramli/classnotes algs/algs_105_mesquita/uk_emu_labor.csv, citing 'The "
         "Predictability of Foreign Policies: The British EMU Policy' (University of "
         "Groningen)",
         "Positions 0-10 (10 = join EMU); saliences 0-100; capabilities 0.1-1. Actor ids are "
         "the source's (Turkish) names, actor names the English translation.", 100.0,
         (0, 10), "Does the UK join the EMU?", "0 stay out ... 10 join EMU"),
    Spec("ktab-soe-policy", "ktab/SOE-Policy.csv", "China SOE reform: Policy (KTAB example)",
         KTAB.format(f="SOE-Policy.csv"),
         "China state-owned-enterprise reform, the 'Policy' issue alone (scenario 'China "
         "Policy; scen 0'). KTAB scales: positions and saliences 0-100."),
    Spec("ktab-soe-competitive", "ktab/SOE-Competitive.csv",
         "China SOE reform: Competitive, reforming CNPC (KTAB example)",
         KTAB.format(f="SOE-Competitive.csv"),
         "China state-owned-enterprise reform, the 'Competitive' issue alone (reforming CNPC). "
         "KTAB scales: positions and saliences 0-100."),
    Spec("ktab-soe-pol-comp", "ktab/SOE-Pol-Comp.csv",
         "China SOE reform: Policy and Competitive (KTAB example)",
         KTAB.format(f="SOE-Pol-Comp.csv"),
         "The 'Policy' and 'Competitive' issues together (13 actors). KTAB scales: positions "
         "and saliences 0-100."),
    Spec("ktab-dummy-3dim", "ktab/dummyData_3Dim.csv", "KTAB test data: 7 actors, 3 dimensions",
         KTAB.format(f="dummyData_3Dim.csv"),
         "KTAB's test scenario of random spatial actors on three dimensions."),
    Spec("ktab-dummy-6dim", "ktab/dummyData_6Dim.csv",
         "KTAB test data: all six dimensions of CDMP", KTAB.format(f="dummyData_6Dim.csv"),
         "KTAB's test scenario 'Combined, All six dimensions of CDMP' (27 actors)."),
    Spec("ktab-dummy-a040", "ktab/dummyData-a040.csv",
         "KTAB test data: 40 actors, one dimension", KTAB.format(f="dummyData-a040.csv"),
         "KTAB's test scenario 'XYZ' with 40 actors on one dimension."),
    Spec("cop21-2015", "exchange/cop21.csv", "COP21, Paris 2015",
         DECIDE.format(f="cop21.csv"),
         "The data behind Stokman & Thomson's 2015 forecast of the Paris climate talks. "
         "Saliences stored on 0-1, multiplied by 100 here; powers (0-1) are the capabilities "
         "per issue. Seven actors take no part in amb2050/amb2100."),
    Spec("copenhagen-2009", "exchange/copenhagen.csv", "COP15, Copenhagen 2009",
         DECIDE.format(f="copenhagen.csv"),
         "COP15 climate negotiations; data collected 27-28 Oct 2009 by Clarisse Siebert and "
         "Richard Klein (SEI). Saliences stored on 0-1, multiplied by 100 here; powers are the "
         "capabilities per issue. Russia takes no part in Commitments or Extra."),
    Spec("road-toll", "exchange/sample_data.txt", "A Dutch municipal road toll",
         DECIDE.format(f="sample_data.txt"),
         "The Decide tools' demo data. tol-hoogte runs on 0.5-7, the other issues on 0-100. "
         "Saliences stored on 0-1, multiplied by 100 here; powers are the capabilities per "
         "issue."),
]


def build(spec: Spec, reference: Path) -> str:
    path = reference / spec.file
    sc = load_any(path, salience_scale=spec.salience_scale)
    data = sc.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    if spec.title:
        data["title"] = spec.title
    if spec.question:
        data["question"] = spec.question
    if spec.scale is not None:
        data["issues"][0]["scale"] = list(spec.scale)
    if spec.file.startswith(BDM):
        data["issues"][0]["label"] = spec.label or data["title"]
    data["sources"] = [{"id": "data", "title": f"{spec.origin}; via shared/reference/"
                        f"{spec.file}"}]
    text = compact_yaml(validate_data(data, spec.name).to_data())
    header = "\n".join(
        "# " + line for line in textwrap.wrap(
            f"{data['title']}. Data: {spec.origin}. Copied into shared/reference/{spec.file} "
            f"(see its README) and converted by tools/make_examples.py. {spec.notes}", 94))
    return header + "\n" + text


def _ints(obj: object) -> object:
    """4.0 -> 4, so the file reads as the source does."""
    if isinstance(obj, float) and obj.is_integer():
        return int(obj)
    if isinstance(obj, dict):
        return {k: _ints(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_ints(v) for v in obj]
    return obj


def compact_yaml(data: dict) -> str:
    """Block style for the document, one flow-style line per issue and per actor."""
    data = _ints(data)  # type: ignore[assignment]

    def line(item: object) -> str:
        return yaml.safe_dump(item, default_flow_style=True, allow_unicode=True,
                              width=10**6, sort_keys=False).strip()

    head = {k: v for k, v in data.items() if k not in ("issues", "actors")}
    text = yaml.safe_dump(head, sort_keys=False, allow_unicode=True, width=94)
    text += "issues:\n" + "".join(f"  - {line(i)}\n" for i in data["issues"])
    text += "actors:\n" + "".join(f"  - {line(a)}\n" for a in data["actors"])
    return text


def main(reference: str) -> None:
    for spec in SPECS:
        (OUT / f"{spec.name}.yaml").write_text(build(spec, Path(reference)), encoding="utf-8")
        print(f"wrote {spec.name}.yaml")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference")
