"""``accord models``: the registered models, their options and presets."""

from accord.cli.common import app, out


@app.command("models")
def models_command() -> None:
    """List the registered models with their options and presets."""
    import dataclasses

    from rich.table import Table

    from accord import models as registry

    table = Table("model", "options (default)", "presets")
    for name in registry.names():
        cls = registry.model_class(name)
        opts = ", ".join(f"{f.name}={f.default}" for f in dataclasses.fields(cls.Options))
        table.add_row(name, opts or "—", ", ".join(cls.presets) or "—")
    out.print(table)
