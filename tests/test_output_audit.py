

def test_a_workbook_openpyxl_cannot_parse_leaves_no_file_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl keeps its handle open when it raises part way through a file; netcap opens
    the file itself, so the handle closes whatever openpyxl does (an open handle is a
    ResourceWarning, an error under the suite's warnings-as-errors)."""
    import openpyxl  # noqa: PLC0415 (patched for this test only)

    from netcap.io.safety import UnsafeFileError  # noqa: PLC0415

    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    wb.save(path)
    handles: list[Any] = []
    real = openpyxl.load_workbook

    def second_call_fails(fh: Any, **kwargs: Any) -> Any:
        handles.append(fh)
        if len(handles) == 2:
            raise TypeError("expected <class 'int'>")  # as a malformed attribute raises
        return real(fh, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", second_call_fails)
    with pytest.raises((UnsafeFileError, TypeError)):
        load_book(path)
    assert len(handles) == 2
    assert all(getattr(fh, "closed", False) for fh in handles)
