"""Reading registry exports: readers, the data dictionary, validation and the row ledger."""

from evalkit.io.export import Export, read_export
from evalkit.io.ledger import Ledger
from evalkit.io.mapping import Mapping, MappingError, load_mapping
from evalkit.io.problems import InputError, Problem, ProblemList
from evalkit.io.readers import CsvOptions
from evalkit.io.schema import ColumnSpec, DatasetSpec, TableSpec, dataset, load_dictionary

__all__ = ["ColumnSpec", "CsvOptions", "DatasetSpec", "Export", "InputError", "Ledger", "Mapping", "MappingError",
           "Problem", "ProblemList", "TableSpec", "dataset", "load_dictionary", "load_mapping", "read_export"]
